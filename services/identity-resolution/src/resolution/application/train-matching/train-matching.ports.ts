import type { DecidedPair, MatchParameters, PreparedRecord } from '../../../matching/domain';
import type { StoredTermFrequencies } from '../../domain/identity-graph.model';
import type { TrainingStatusDocument } from '../ports/identity-graph.records';

/** The training job's state as it is updated: any fields set, the listed ones cleared. */
export type TrainingStatusUpdate = Partial<Omit<TrainingStatusDocument, '_id'>>;

/**
 * What training reads and writes besides the graph (MatchParametersRepository in the service):
 * the stored trait records, people's review decisions, the parameter versions and the job's state.
 */
export abstract class TrainingStore {
  abstract countRecords(): Promise<number>;
  /** The newest stored version, read now, with the number of records it was estimated from (0 before the first). */
  abstract latest(): Promise<{ parameters: MatchParameters; records: number }>;
  abstract allRecords(): Promise<PreparedRecord[]>;
  /** Ids of every stored trait record, in id order (the order records are matched again in). */
  abstract recordIds(): Promise<string[]>;
  /** People's latest review decisions with the trait records of the two customers. */
  abstract decidedPairs(limit: number): Promise<DecidedPair[]>;
  /** Stores a version, which becomes the current one. */
  abstract save(parameters: MatchParameters, records: number): Promise<void>;
  abstract trainingStatus(): Promise<TrainingStatusDocument>;
  abstract setTrainingStatus(update: TrainingStatusUpdate, clear?: ReadonlyArray<keyof TrainingStatusDocument>): Promise<void>;
}

/** An EM estimate of new parameters from the stored records (EstimationRunner: in a worker thread). */
export abstract class ParameterEstimator {
  abstract estimate(records: readonly PreparedRecord[], previous: MatchParameters): Promise<MatchParameters>;
}

/** Every name count as of one moment (TermFrequencyStore); undefined when the store is away. */
export abstract class TermFrequencySnapshots {
  abstract snapshot(): Promise<StoredTermFrequencies | undefined>;
}
