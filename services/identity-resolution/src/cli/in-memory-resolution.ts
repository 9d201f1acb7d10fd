import { estimateParameters } from '../resolution/application/estimate-parameters/estimate-parameters';
import {
  compileIdentityRules,
  defaultIdentityRules,
  defaultOverMergeGuardConfig,
  IdentityRules,
  initialMatchParameters,
  MatchParameters,
  PreparedRecord,
  largestWeightChange,
  REMATCH_MIN_CHANGE_BITS,
  trainingDue,
  TypedIdentifier,
} from '../matching/domain';
import { BatchResolver, GraphState, ResolverEvent, ResolverSettings } from '../resolution/domain/batch-resolver';
import { REMATCH_EVENT_PREFIX, StoredTermFrequencies, uniqueIdentifierId } from '../resolution/domain/identity-graph.model';

/** Name frequencies counted as records are stored, as the service's Redis counters are. */
class Counters {
  readonly counts = new Map<string, number>();
  readonly totals = new Map<string, number>();

  add(record: PreparedRecord): void {
    for (const [table, value] of [
      ['firstName', record.firstName],
      ['lastName', record.lastName],
    ] as const) {
      if (value === undefined) continue;
      const key = StoredTermFrequencies.key(table, value);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.totals.set(table, (this.totals.get(table) ?? 0) + 1);
    }
  }

  snapshot(): StoredTermFrequencies {
    return new StoredTermFrequencies(this.counts, this.totals);
  }
}

export interface InMemoryResolutionOptions {
  readonly rules?: IdentityRules;
  readonly parameters?: MatchParameters;
  readonly maxBlockSize?: number;
  /** Re-estimate the parameters as the store grows and re-match stored records, as the service's training job does. */
  readonly selfTraining?: boolean;
}

/**
 * The service's resolver (BatchResolver, its rules, guards and parameters) over an in-memory
 * graph: one event per batch, name frequencies counted as records are stored. What the service
 * does record at a time, without its database and Kafka, for offline files and benchmarks.
 */
export class InMemoryResolution {
  readonly state = new GraphState(new Map(), new Map(), [], new Map(), new Map());
  private readonly counters = new Counters();
  readonly rules: IdentityRules;
  parameters: MatchParameters;
  reviews = 0;
  estimates = 0;
  /** Records re-resolution moved (after merges and after re-estimates). */
  moves = 0;
  private readonly maxBlockSize: number;
  private readonly selfTraining: boolean;
  private trainedOn = 0;

  constructor(options: InMemoryResolutionOptions = {}) {
    this.rules = options.rules ?? compileIdentityRules(defaultIdentityRules);
    this.parameters = options.parameters ?? initialMatchParameters('initial');
    this.maxBlockSize = options.maxBlockSize ?? 200;
    this.selfTraining = options.selfTraining ?? false;
  }

  private settings(): ResolverSettings {
    return {
      rules: this.rules,
      guard: defaultOverMergeGuardConfig,
      weakLinkTypes: new Set(['anonymousId']),
      matching: { parameters: this.parameters, termFrequencies: this.counters.snapshot(), maxBlockSize: this.maxBlockSize },
      // An offline evaluation: ids only have to be stable within the run.
      customerIdKey: 'offline-evaluation',
    };
  }

  /** Resolves one event; the customer it was resolved to, if any. */
  resolve(event: ResolverEvent): string | undefined {
    const plan = new BatchResolver(this.state, this.settings()).resolve([event]);
    for (const created of plan.newRecords) this.counters.add(created.record);
    this.reviews += plan.reviews.length;
    // As the service does after a batch that merged customers: their linked records resolved again.
    if (plan.merges.length > 0)
      this.moves += new BatchResolver(this.state, this.settings()).reResolve(
        plan.merges.map((merge) => merge.survivorId),
        { id: `re-resolution:${event.id}`, time: event.time },
      ).moves.length;
    const outcome = plan.outcomes[0];
    if (this.selfTraining) this.train(event.time);
    return outcome?.kind === 'resolved' ? outcome.customerId : undefined;
  }

  /** The service's training job (same policy): a new estimate each time the store has grown enough, then every record matched again. */
  private train(time: string): void {
    const stored = this.state.records.size;
    if (!trainingDue(stored, this.trainedOn)) return;
    const previous = this.parameters;
    this.parameters = estimateParameters(this.storedRecords(), this.parameters, new Date(time));
    this.trainedOn = stored;
    this.estimates += 1;
    if (largestWeightChange(previous, this.parameters) < REMATCH_MIN_CHANGE_BITS) return;
    this.rematchAll(time);
  }

  /** Every stored record matched again under the current parameters (the training job's pass). */
  rematchAll(time: string): void {
    const plan = new BatchResolver(this.state, this.settings()).rematch([...this.state.records.keys()].sort(), {
      id: `${REMATCH_EVENT_PREFIX}${this.parameters.version}`,
      time,
    });
    this.reviews += plan.reviews.length;
    this.moves += plan.moves.length;
  }

  /**
   * The customer holding an identifier now: where a record ended, since re-resolution moves a
   * record with the identifiers it brought (what the service's lookup by identifier answers).
   */
  holderOf(identifier: TypedIdentifier): string | undefined {
    const owner = this.state.owners.get(uniqueIdentifierId(identifier));
    return owner !== undefined ? this.state.current(owner.customerId) : undefined;
  }

  /** The customer an earlier answer stands for now, following later merges. */
  current(customerId: string): string {
    return this.state.current(customerId);
  }

  storedRecords(): PreparedRecord[] {
    return [...this.state.records.values()].map((stored) => stored.record);
  }
}
