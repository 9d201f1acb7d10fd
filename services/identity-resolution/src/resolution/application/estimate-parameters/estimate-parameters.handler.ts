import { Injectable } from '@nestjs/common';
import { MatchParametersRepository } from '../../infrastructure/match-parameters.repository';
import { estimateParameters } from './estimate-parameters';

export interface EstimateResult {
  readonly version: string;
  readonly records: number;
  readonly lambda: number;
  readonly thresholds: { autoMerge: number; review: number };
  readonly training?: { candidatePairs: number; iterations: number; converged: boolean; uSource: string };
}

/** Re-estimates m/u and lambda from every stored trait record and makes the result current. */
@Injectable()
export class EstimateParametersHandler {
  constructor(private readonly parameters: MatchParametersRepository) {}

  async execute(): Promise<EstimateResult> {
    const [records, previous] = await Promise.all([this.parameters.allRecords(), this.parameters.current()]);
    const estimated = estimateParameters(records, previous);
    await this.parameters.save(estimated, records.length);
    return {
      version: estimated.version,
      records: records.length,
      lambda: estimated.lambda,
      thresholds: estimated.thresholds,
      ...(estimated.training !== undefined ? { training: estimated.training } : {}),
    };
  }
}
