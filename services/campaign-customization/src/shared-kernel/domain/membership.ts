// The shape of a customer's segment memberships, shared by the profile state and the segment
// evaluation that computes them (segments/domain/membership.diff.ts).

/** A customer's memberships: segment id -> version the membership was computed with. */
export type Memberships = Readonly<Record<string, number>>;

export interface MembershipChange {
  segmentId: string;
  segmentVersion: number;
  change: 'entered' | 'exited';
  reason: string;
  /** Time of the change that caused it (profile change, merge, withdrawal), not processing time. */
  changedAt: string;
}

export interface MembershipDiff {
  /** Memberships after the changes: what the projection stores with the sequence number. */
  current: Record<string, number>;
  /** In publication order: exits before entries, each by segment id, so replays publish the same sequence. */
  changes: MembershipChange[];
}
