import { Injectable } from '@nestjs/common';
import type { PrivacyParticipant } from '@o2o/runtime';
import { TimelineStore } from '../../../live/timeline.store';

/** The console keeps a short timeline and the identifiers of customers looked up (Redis): exported and erased like any service's data. */
@Injectable()
export class ConsolePrivacyParticipant implements PrivacyParticipant {
  constructor(private readonly timeline: TimelineStore) {}

  exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    return this.timeline.exportData(customerIds);
  }

  async erase(customerIds: string[]) {
    return { deleted: { redisKeys: await this.timeline.erase(customerIds) }, tombstones: [] };
  }
}
