import { Injectable } from '@nestjs/common';
import { SegmentAudience, type AudienceMember } from '../../segments/application/segment-audience.port';
import { CustomerStates } from './ports';
import { BackgroundJobsRunner } from './run-background-jobs/background-jobs.runner';

/** The segments API's view of the customers: the customer store and the back-fill runner. */
@Injectable()
export class ProfilesSegmentAudience extends SegmentAudience {
  constructor(
    private readonly customers: CustomerStates,
    private readonly jobs: BackgroundJobsRunner,
  ) {
    super();
  }

  countCustomers(): Promise<number> {
    return this.customers.countCustomers();
  }

  async page(afterId: string, limit: number): Promise<{ members: AudienceMember[]; last?: string }> {
    const { states, last } = await this.customers.statesPage(afterId, limit);
    return last === undefined ? { members: states } : { members: states, last };
  }

  wakeBackfill(): void {
    this.jobs.tick();
  }
}
