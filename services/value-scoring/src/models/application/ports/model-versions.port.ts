import type { ModelVersion, ValuationState } from '../../domain/model-version';

/** The fitted model versions and the last walk's state (models/infrastructure/model-version.repository.ts in MongoDB). */
export abstract class ModelVersions {
  abstract insert(version: ModelVersion): Promise<void>;
  /** The newest fit is the current model: every instance converges on it by reading. */
  abstract latest(): Promise<ModelVersion | null>;
  abstract list(limit: number): Promise<ModelVersion[]>;
  abstract count(): Promise<number>;
  abstract state(): Promise<ValuationState | null>;
  abstract saveState(state: Omit<ValuationState, '_id'>): Promise<void>;
}
