import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { Memberships } from '../../shared-kernel/domain/membership';

/** One stored customer as the segments API reads it. */
export interface AudienceMember {
  customerId: string;
  profile: CustomerProfile;
  memberships: Memberships;
}

/**
 * What the segments API needs of the customers. Owned here and implemented by `profiles` (which
 * holds the customers and runs the back-fill), so `segments` imports nothing of `profiles`
 * while `profiles` reads segment definitions.
 */
export abstract class SegmentAudience {
  /** Customers not merged away. */
  abstract countCustomers(): Promise<number>;
  /**
   * Customers not merged away whose id follows afterId, in id order, from a read of `limit`
   * documents; `last` is the last id read (merged-away ones included), absent past the end.
   */
  abstract page(afterId: string, limit: number): Promise<{ members: AudienceMember[]; last?: string }>;
  /** Starts the back-fill of changed segments now rather than at the next interval, without waiting for it. */
  abstract wakeBackfill(): void;
}
