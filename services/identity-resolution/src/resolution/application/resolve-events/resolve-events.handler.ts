import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { EventReceivedV1 } from '@o2o/contracts';
import { afterBatchCommit } from '@o2o/kafka';
import { IdentityRules, MatchParameters, SegmentLikeEvent } from '../../../matching/domain';
import type { IdentityResolutionConfig } from '../../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../../identity.tokens';
import { BatchResolver, lookupsFor, ResolutionPlan, ResolverEvent, ResolverSettings } from '../../domain/batch-resolver';
import { PlannedMerge, PlannedMove, uniqueIdentifierId } from '../../domain/identity-graph.model';
import { IdentityEvents } from '../ports/identity-events.port';
import { MatchParametersInForce, PlanWritten, ResolutionGraph } from '../ports/resolution-graph.port';
import { RulesInForce } from '../ports/rules-in-force.port';

export interface ReceivedEvent {
  event: EventReceivedV1;
  trace: Context;
  /** Kafka partition and offset, so an unresolvable event can be dead-lettered on its own. */
  partition: number;
  offset: string;
}

export interface Unresolvable {
  partition: number;
  offset: string;
  reason: string;
}

const MAX_RECONCILE_ROUNDS = 3;

/** The resolver's settings from the service's configuration and the parameters in force (name frequencies come with each loaded batch). */
export function resolverSettings(config: IdentityResolutionConfig, rules: IdentityRules, parameters: MatchParameters): ResolverSettings {
  return {
    rules,
    guard: config.overMergeGuard,
    weakLinkTypes: new Set(config.IDENTITY_WEAK_LINK_TYPES),
    matching: { parameters, termFrequencies: { frequency: () => undefined }, maxBlockSize: config.MATCHING_MAX_BLOCK_SIZE },
    customerIdKey: config.PRIVACY_PSEUDONYM_KEY,
  };
}

/** The received event as the matching domain reads it (Segment's "type" is ingestion's eventType). */
export function asSegmentEvent(event: EventReceivedV1): SegmentLikeEvent {
  const { eventType, ...rest } = event.data;
  return { ...rest, type: eventType };
}

/**
 * Resolves each event to one customer, in order, with a fixed number of reads and bulk writes
 * per batch and one produce request. If another instance wrote an identifier or a lookalike
 * record concurrently, the batch is planned again against the stored graph, so both instances
 * converge on what one instance would have built.
 */
@Injectable()
export class ResolveEventsHandler {
  constructor(
    private readonly graph: ResolutionGraph,
    private readonly parameters: MatchParametersInForce,
    private readonly publisher: IdentityEvents,
    private readonly rules: RulesInForce,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {}

  async execute(events: ReceivedEvent[]): Promise<Unresolvable[]> {
    if (events.length === 0) return [];
    const inputs: ResolverEvent[] = events.map(({ event }) => ({
      id: event.id,
      time: new Date(event.data.timestamp).toISOString(),
      data: asSegmentEvent(event),
    }));
    const merges = new Map<string, PlannedMerge>();
    const fresh = new Set<string>();
    let plan: ResolutionPlan | undefined;
    let survivorOf: (id: string) => string = (id) => id;
    for (let round = 1; round <= MAX_RECONCILE_ROUNDS; round += 1) {
      const settings = await this.settings();
      const loaded = await this.graph.loadBatch(lookupsFor(inputs, settings), this.config.MATCHING_MAX_BLOCK_SIZE);
      for (const merge of loaded.unannounced) if (!merges.has(merge.mergedId)) merges.set(merge.mergedId, merge);
      const matching = settings.matching !== undefined ? { ...settings.matching, termFrequencies: loaded.termFrequencies } : undefined;
      // Taken before planning, which adds the batch's own records to the state's postings.
      const stored = { blockingKeys: new Set(loaded.state.postings.keys()) };
      plan = new BatchResolver(loaded.state, { ...settings, ...(matching !== undefined ? { matching } : {}) }, fresh).resolve(inputs);
      const written = await this.graph.write(plan, stored);
      for (const merge of plan.merges) merges.set(merge.mergedId, merge);
      for (const created of plan.newCustomers) fresh.add(created.id);
      const state = loaded.state;
      survivorOf = (id) => state.current(id);
      if (!(await this.lostARace(plan, loaded.state.records, written))) break;
    }
    if (plan === undefined) return [];
    const finalPlan = plan;
    // Only re-resolution moves records (resolve() never does): after a batch that merged customers.
    const moves: PlannedMove[] = [];
    const last = inputs[inputs.length - 1];
    if (merges.size > 0 && last !== undefined) {
      const reResolved = await this.reResolve([...new Set([...merges.values()].map((m) => survivorOf(m.survivorId)))], {
        id: `re-resolution:${last.id}`,
        time: last.time,
      });
      moves.push(...(reResolved?.plan.moves ?? []));
      for (const merge of reResolved?.plan.merges ?? []) merges.set(merge.mergedId, merge);
      if (reResolved !== undefined) {
        const before = survivorOf;
        survivorOf = (id) => reResolved.current(before(id));
      }
    }

    const unresolvable: Unresolvable[] = [];
    const resolved = events.flatMap((source, index) => {
      const outcome = finalPlan.outcomes[index];
      if (outcome === undefined) return [];
      if (outcome.kind === 'unresolvable') {
        unresolvable.push({ partition: source.partition, offset: source.offset, reason: outcome.reason });
        return [];
      }
      return [{ event: source.event, trace: source.trace, customerId: survivorOf(outcome.customerId), identifiers: outcome.identifiers }];
    });
    const allMerges = [...merges.values()].map((m) => ({ ...m, survivorId: survivorOf(m.survivorId) }));
    await this.publisher.publish({ resolved, merges: allMerges, moves });
    // The consumer's handler calls are Kafka transactions: "announced" is recorded once this one
    // committed, or a crash before the commit would leave merges marked announced that no reader saw.
    await afterBatchCommit(async () => {
      await this.graph.markAnnounced(allMerges.map((m) => m.mergedId));
      await this.graph.markMovesAnnounced(moves.map((m) => m.partId));
    });
    return unresolvable;
  }

  /**
   * The batch merged customers: the records the matcher linked to them are resolved again against
   * everything the merged customers now hold (BatchResolver.reResolve), and the moves written.
   */
  private async reResolve(
    customerIds: readonly string[],
    cause: { id: string; time: string },
  ): Promise<{ plan: ResolutionPlan; current: (id: string) => string } | undefined> {
    const settings = await this.settings();
    if (settings.matching === undefined) return undefined;
    const loaded = await this.graph.loadForReResolution(customerIds, [], this.config.MATCHING_MAX_BLOCK_SIZE, { onlyWithLinked: true });
    if (loaded === undefined) return undefined;
    const stored = { blockingKeys: new Set(loaded.state.postings.keys()) };
    const plan = new BatchResolver(loaded.state, {
      ...settings,
      matching: { ...settings.matching, termFrequencies: loaded.termFrequencies },
    }).reResolve(customerIds, cause);
    if (plan.moves.length === 0) return undefined;
    await this.graph.write(plan, stored);
    return { plan, current: (id) => loaded.state.current(id) };
  }

  private async settings(): Promise<ResolverSettings> {
    return resolverSettings(this.config, this.rules.current(), await this.parameters.current());
  }

  /**
   * Did another instance write, between our read and our write, an identifier we created (it
   * owns it now) or a trait record under one of our blocking keys that we did not score against?
   * Identifiers and keys our write inserted itself are settled: nobody had written them before
   * it, and whoever writes them after it finds ours in this same check of theirs.
   */
  private async lostARace(plan: ResolutionPlan, known: ReadonlyMap<string, unknown>, written: PlanWritten): Promise<boolean> {
    const created = plan.newIdentifiers.filter((n) => n.unique && !written.identifiers.has(uniqueIdentifierId(n)));
    const ours = new Set(plan.newRecords.map((r) => r.id));
    const keys =
      plan.newCustomers.length > 0 ? [...new Set(plan.newRecords.flatMap((r) => r.keys))].filter((k) => !written.blockingKeys.has(k)) : [];
    const [owners, postings] = await Promise.all([this.graph.ownersOf(created.map(uniqueIdentifierId)), this.graph.postingsOf(keys)]);
    if (created.some((n) => owners.get(uniqueIdentifierId(n)) !== n.customerId)) return true;
    for (const ids of postings.values()) {
      if (ids.length > this.config.MATCHING_MAX_BLOCK_SIZE) continue;
      if (ids.some((id) => !ours.has(id) && !known.has(id))) return true;
    }
    return false;
  }
}
