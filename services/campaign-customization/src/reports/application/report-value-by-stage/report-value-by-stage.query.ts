import { Injectable } from '@nestjs/common';
import { CustomerStates } from '../../../profiles/application/ports';
import { ValueByStageAccumulator, type ValueByStageReport } from '../../domain/value-by-stage';

/** Customers read per database round trip. */
const PAGE = 500;

/** Reads every customer once, in id order (like the segment counts: for screens, not a hot path). */
@Injectable()
export class ReportValueByStageQuery {
  constructor(private readonly customers: CustomerStates) {}

  async execute(): Promise<ValueByStageReport & { at: string }> {
    const report = new ValueByStageAccumulator();
    let after = '';
    for (;;) {
      const { states, last } = await this.customers.statesPage(after, PAGE);
      for (const state of states) report.add(state.profile);
      if (last === undefined) break;
      after = last;
    }
    return { at: new Date().toISOString(), ...report.report() };
  }
}
