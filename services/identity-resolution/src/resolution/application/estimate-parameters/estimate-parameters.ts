import { defaultTrainingOptions, MatchParameters, PreparedRecord, trainMatchParameters } from '../../../matching/domain';

/** Fewer records than this give EM too few candidate pairs to say anything. */
export const MIN_RECORDS_FOR_ESTIMATE = 100;

export class NotEnoughRecordsError extends Error {
  constructor(readonly records: number) {
    super(`re-estimation needs at least ${MIN_RECORDS_FOR_ESTIMATE} stored trait records, found ${records}`);
    this.name = 'NotEnoughRecordsError';
  }
}

/**
 * The re-estimation command shared by the HTTP endpoint and the CLI: EM over the stored trait
 * records, stamped with a version naming the time and the data size. The thresholds stay those of
 * the previous version: they are policy (how much review work to create), not an estimate.
 */
export function estimateParameters(records: readonly PreparedRecord[], previous: MatchParameters, now = new Date()): MatchParameters {
  if (records.length < MIN_RECORDS_FOR_ESTIMATE) throw new NotEnoughRecordsError(records.length);
  // Sorted so the estimate does not depend on the order the database returns records in.
  const sorted = [...records].sort((a, b) => a.recordId.localeCompare(b.recordId));
  return trainMatchParameters(sorted, {
    ...defaultTrainingOptions,
    version: `em-${now.toISOString()}-${sorted.length}`,
    thresholds: previous.thresholds,
  });
}
