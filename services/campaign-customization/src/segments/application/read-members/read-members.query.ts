import { Injectable } from '@nestjs/common';
import { evaluateMembership, type SegmentDefinition } from '../../domain/segment-definition';
import { SegmentAudience, type AudienceMember } from '../segment-audience.port';

/** Customers read per database round trip. */
const PAGE = 500;
/** Most customers one members request reads before it answers with what it found and a cursor. */
const SCAN_LIMIT = 5000;

export interface MembersPage {
  members: Array<{ customerId: string; segmentVersion: number }>;
  /** Pass as `after` for the next page; absent after the last customer. */
  next?: string;
}

/**
 * Who is in a segment, how many, and how many a draft rule would take in. Memberships live inside
 * each customer's stored state (read and written whole, see customer-state.document), so these
 * read customers in id order: linear in the number of customers, fine for screens and exports,
 * not for a hot path.
 */
@Injectable()
export class ReadMembersQuery {
  constructor(private readonly customers: SegmentAudience) {}

  async members(segmentId: string, page: { limit: number; after?: string }): Promise<MembersPage> {
    const members: MembersPage['members'] = [];
    let after = page.after ?? '';
    let scanned = 0;
    for (;;) {
      const { members: states, last } = await this.customers.page(after, PAGE);
      if (last === undefined) return { members };
      for (const state of states) {
        const version = state.memberships[segmentId];
        if (version === undefined) continue;
        members.push({ customerId: state.customerId, segmentVersion: version });
        if (members.length === page.limit) return { members, next: state.customerId };
      }
      after = last;
      scanned += PAGE;
      if (scanned >= SCAN_LIMIT) return { members, next: after };
    }
  }

  /** Members per segment, in one pass over the customers. */
  async counts(): Promise<{ customers: number; members: Record<string, number> }> {
    const members: Record<string, number> = {};
    let customers = 0;
    await this.each((state) => {
      customers++;
      for (const id of Object.keys(state.memberships)) members[id] = (members[id] ?? 0) + 1;
    });
    return { customers, members };
  }

  /** How many customers a segment would hold now, with a few of them as a sample. */
  async preview(segment: SegmentDefinition, now: Date): Promise<{ customers: number; matching: number; sample: string[] }> {
    let customers = 0;
    let matching = 0;
    const sample: string[] = [];
    await this.each((state) => {
      customers++;
      if (!evaluateMembership(segment, state.profile, now).matched) return;
      matching++;
      if (sample.length < 10) sample.push(state.customerId);
    });
    return { customers, matching, sample };
  }

  private async each(visit: (state: AudienceMember) => void): Promise<void> {
    let after = '';
    for (;;) {
      const { members: states, last } = await this.customers.page(after, PAGE);
      if (last === undefined) return;
      for (const state of states) visit(state);
      after = last;
    }
  }
}
