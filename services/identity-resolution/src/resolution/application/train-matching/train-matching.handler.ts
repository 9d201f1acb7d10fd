import { Inject, Injectable } from '@nestjs/common';
import { HeldLease, InjectRedis, LeaseLock, Redis } from '@o2o/redis';
import {
  acceptEstimate,
  largestWeightChange,
  MatchParameters,
  REMATCH_MIN_CHANGE_BITS,
  SelfTrainingPolicy,
  trainingDue,
} from '../../../matching/domain';
import type { IdentityResolutionConfig } from '../../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../../identity.tokens';
import { BatchResolver } from '../../domain/batch-resolver';
import { REMATCH_EVENT_PREFIX } from '../../domain/identity-graph.model';
import { PlannedMove, StoredTermFrequencies } from '../../domain/identity-graph.model';
import { MIN_RECORDS_FOR_ESTIMATE, NotEnoughRecordsError } from '../estimate-parameters/estimate-parameters';
import { IdentityEvents } from '../ports/identity-events.port';
import { TrainingStatusDocument } from '../ports/identity-graph.records';
import { ResolutionGraph } from '../ports/resolution-graph.port';
import { RulesInForce } from '../ports/rules-in-force.port';
import { resolverSettings } from '../resolve-events/resolve-events.handler';
import { ParameterEstimator, TermFrequencySnapshots, TrainingStore } from './train-matching.ports';

export type TrainingTrigger = 'schedule' | 'request';

export type TrainingOutcome =
  | { readonly kind: 'busy' }
  | { readonly kind: 'not-due'; readonly storedRecords: number; readonly trainedOn: number }
  | { readonly kind: 'refused'; readonly version: string; readonly reason: string; readonly records: number }
  | {
      readonly kind: 'trained';
      readonly parameters: MatchParameters;
      readonly records: number;
      readonly rematched: number;
      readonly merges: number;
    };

/**
 * The run's lease, extended in the background every third of it while the run works (the
 * estimate runs in a worker thread, so the event loop is free to). Extending it only between
 * steps lost it to any estimate longer than the lease (five minutes on a loaded 2-core machine);
 * a crashed holder holds training back for at most this long, which a background job can wait.
 */
const LEASE_MS = 300_000;
const REMATCH_PAGE = 100;
const DECISIONS_CONSIDERED = 1000;

/**
 * The matcher's self-training: when the store of trait records has grown enough (or on request),
 * EM re-estimates the parameters from every stored record in a worker thread, the estimate
 * replaces the current one only if it reproduces people's review decisions at least as well,
 * and then every stored record is matched again under it, page by page, so that records resolved
 * while the model knew less join the customers they belong with. One instance at a time (a Redis
 * lease); the state is in the database for any instance to report.
 */
@Injectable()
export class TrainMatchingHandler {
  private readonly lock: LeaseLock;
  private readonly policy: SelfTrainingPolicy;

  constructor(
    private readonly parameters: TrainingStore,
    private readonly runner: ParameterEstimator,
    private readonly graph: ResolutionGraph,
    private readonly publisher: IdentityEvents,
    private readonly rules: RulesInForce,
    private readonly terms: TermFrequencySnapshots,
    @InjectRedis() redis: Redis,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {
    this.lock = new LeaseLock(redis, 'identity:matching-training:lock');
    this.policy = { minRecords: MIN_RECORDS_FOR_ESTIMATE, growth: config.MATCHING_TRAINING_GROWTH };
  }

  status(): Promise<TrainingStatusDocument> {
    return this.parameters.trainingStatus();
  }

  async execute(trigger: TrainingTrigger): Promise<TrainingOutcome> {
    const lease = await this.lock.hold(LEASE_MS);
    if (lease === undefined) return { kind: 'busy' };
    try {
      const [stored, latest] = await Promise.all([this.parameters.countRecords(), this.parameters.latest()]);
      if (trigger === 'request' && stored < MIN_RECORDS_FOR_ESTIMATE) throw new NotEnoughRecordsError(stored);
      if (trigger === 'schedule' && !trainingDue(stored, latest.records, this.policy))
        return { kind: 'not-due', storedRecords: stored, trainedOn: latest.records };
      return await this.train(trigger, lease, latest.parameters);
    } catch (error) {
      if (!(error instanceof NotEnoughRecordsError)) {
        await this.parameters.setTrainingStatus({
          state: 'idle',
          finishedAt: new Date(),
          error: error instanceof Error ? error.message : String(error),
        });
      }
      throw error;
    } finally {
      await lease.release();
    }
  }

  private async train(trigger: TrainingTrigger, lease: HeldLease, current: MatchParameters): Promise<TrainingOutcome> {
    await this.parameters.setTrainingStatus({ state: 'estimating', trigger, startedAt: new Date() }, ['finishedAt', 'error']);
    const records = await this.parameters.allRecords();
    const candidate = await this.runner.estimate(records, current);
    this.keep(lease);
    const verdict = acceptEstimate(current, candidate, await this.parameters.decidedPairs(DECISIONS_CONSIDERED));
    if (!verdict.accepted) {
      const reason = `reproduces ${verdict.candidate.agreeing} of ${verdict.candidate.decided} review decisions, the current ${current.version} ${verdict.current.agreeing}`;
      await this.parameters.setTrainingStatus({
        state: 'idle',
        finishedAt: new Date(),
        refused: { version: candidate.version, reason, at: new Date() },
      });
      return { kind: 'refused', version: candidate.version, reason, records: records.length };
    }
    await this.parameters.save(candidate, records.length);
    await this.parameters.setTrainingStatus({
      state: 'rematching',
      version: candidate.version,
      trainedOn: records.length,
      rematched: 0,
      merges: 0,
    });
    // Once the estimates have settled, a new one moves no score by much: matching every stored
    // record again would change nothing and cost the database a full pass.
    const { rematched, merges } =
      largestWeightChange(current, candidate) >= REMATCH_MIN_CHANGE_BITS
        ? await this.rematch(candidate, lease)
        : { rematched: 0, merges: 0 };
    await this.parameters.setTrainingStatus({ state: 'idle', finishedAt: new Date(), rematched, merges });
    return { kind: 'trained', parameters: candidate, records: records.length, rematched, merges };
  }

  /** Every stored record matched again under the new parameters; merges are written and published as any other. */
  private async rematch(parameters: MatchParameters, lease: HeldLease): Promise<{ rematched: number; merges: number }> {
    const ids = await this.parameters.recordIds();
    const settings = resolverSettings(this.config, this.rules.current(), parameters);
    const cause = { id: `${REMATCH_EVENT_PREFIX}${parameters.version}`, time: new Date().toISOString() };
    // One pass, one verdict per pair: every page is scored against the name counts as they were
    // when the pass began, not as each page reads them while records keep arriving (a pair moved
    // apart at 3.17 on one page and merged back at 3.67 on a later one). Without Redis, without
    // the adjustment, for the whole pass alike.
    const termFrequencies = (await this.terms.snapshot()) ?? new StoredTermFrequencies(new Map(), new Map(), new Set());
    // And what the pass moved out stays out for the rest of the pass (a record that arrived
    // meanwhile may still score the pair over the bar): such a pair goes to a person.
    const moved = new Map<string, Pick<PlannedMove, 'fromId' | 'reason'>>();
    let merges = 0;
    for (let start = 0; start < ids.length; start += REMATCH_PAGE) {
      const page = ids.slice(start, start + REMATCH_PAGE);
      // The page's customers whole: whether a record stays with its customer is judged on all of its records.
      const docs = await this.graph.traitRecordsById(page);
      const loaded = await this.graph.loadForReResolution(
        docs.map((d) => d.customerId),
        docs.map((d) => d.record),
        this.config.MATCHING_MAX_BLOCK_SIZE,
      );
      const matching = settings.matching !== undefined ? { ...settings.matching, termFrequencies } : undefined;
      const plan = new BatchResolver(
        loaded.state,
        { ...settings, ...(matching !== undefined ? { matching } : {}) },
        new Set(),
        moved,
      ).rematch(page, cause);
      for (const move of plan.moves) moved.set(move.partId, { fromId: move.fromId, reason: move.reason });
      if (plan.merges.length > 0 || plan.reviews.length > 0 || plan.moves.length > 0) {
        await this.graph.write(plan);
        await this.publisher.publish({ merges: plan.merges, moves: plan.moves });
        await this.graph.markAnnounced(plan.merges.map((merge) => merge.mergedId));
        await this.graph.markMovesAnnounced(plan.moves.map((move) => move.partId));
        merges += plan.merges.length;
      }
      this.keep(lease);
      await this.parameters.setTrainingStatus({ rematched: Math.min(ids.length, start + REMATCH_PAGE), merges });
    }
    return { rematched: ids.length, merges };
  }

  private keep(lease: HeldLease): void {
    // Losing the lease means another instance may start a run of its own; stop rather than race it.
    if (lease.lost) throw new Error('matching training lease lost');
  }
}
