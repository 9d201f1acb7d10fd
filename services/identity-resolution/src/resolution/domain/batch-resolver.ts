import { followMerges } from '@o2o/contracts';
import {
  agreesOnIndividualTrait,
  blockingKeys,
  contradictsOnIndividualTrait,
  ClusterSummary,
  decideResolution,
  differentFirstNames,
  extractIdentifiers,
  Extraction,
  guardLink,
  GuardVerdict,
  IdentityRules,
  KnownCustomer,
  LinkStrength,
  MatchParameters,
  OverMergeGuardConfig,
  PreparedRecord,
  prepareRecord,
  ResolutionDecision,
  scorePair,
  SegmentLikeEvent,
  sharePersonalMobile,
  TermFrequencies,
  TypedIdentifier,
} from '../../matching/domain';
import {
  customerIdFor,
  GraphCustomer,
  GraphIdentifier,
  LinkedByMatcher,
  LinkEvidence,
  MERGE_LINK_PREFIX,
  PlannedMark,
  PlannedMerge,
  PlannedMove,
  PlannedRelation,
  PlannedReview,
  reviewIdFor,
  ReviewKind,
  StoredTraitRecord,
  traitRecordIdFor,
  uniqueIdentifierId,
} from './identity-graph.model';
import { personalTraitsOf } from './personal-traits.extractor';

export interface ResolverEvent {
  readonly id: string;
  /** ISO event time: a new customer's createdAt, which decides merge survivors. */
  readonly time: string;
  readonly data: SegmentLikeEvent;
}

export interface ProbabilisticSettings {
  readonly parameters: MatchParameters;
  readonly termFrequencies: TermFrequencies;
  readonly maxBlockSize: number;
}

export interface ResolverSettings {
  readonly rules: IdentityRules;
  readonly guard: OverMergeGuardConfig;
  /** Identifier types whose deterministic links are weak evidence (shared devices). */
  readonly weakLinkTypes: ReadonlySet<string>;
  readonly matching?: ProbabilisticSettings;
  /** Key of the keyed customer ids (derived from PRIVACY_PSEUDONYM_KEY; the same on every instance). */
  readonly customerIdKey: string;
}

/**
 * The part of the identity graph a batch touches, loaded once per batch and updated in memory
 * as the batch is planned, so that later events of the batch see the effects of earlier ones.
 */
export class GraphState {
  /** Identifiers of each current customer (merged customers' identifiers moved to the survivor). */
  private readonly byCustomer = new Map<string, TypedIdentifier[]>();

  constructor(
    /** Owner of each unique identifier ("type:value") the batch carries. */
    readonly owners: Map<string, GraphIdentifier>,
    readonly customers: Map<string, GraphCustomer>,
    customerIdentifiers: readonly GraphIdentifier[],
    /** Trait records reachable from the batch's blocking keys. */
    readonly records: Map<string, StoredTraitRecord>,
    /** Blocking key -> trait record ids. */
    readonly postings: Map<string, string[]>,
  ) {
    for (const identifier of customerIdentifiers)
      this.identifiersOf(this.current(identifier.customerId)).push({ type: identifier.type, value: identifier.value });
  }

  /** The customer an id stands for now, following merges (bounded: a cycle is a bug, not a hang). */
  current(id: string): string {
    return followMerges(id, (cursor) => this.customers.get(cursor)?.mergedInto);
  }

  identifiersOf(customerId: string): TypedIdentifier[] {
    let list = this.byCustomer.get(customerId);
    if (list === undefined) {
      list = [];
      this.byCustomer.set(customerId, list);
    }
    return list;
  }

  moveIdentifiers(from: string, to: string): void {
    const moving = this.byCustomer.get(from) ?? [];
    this.byCustomer.delete(from);
    const target = this.identifiersOf(to);
    for (const identifier of moving)
      if (!target.some((held) => held.type === identifier.type && held.value === identifier.value)) target.push(identifier);
  }

  summary(customerId: string): ClusterSummary {
    return { clusterId: customerId, size: this.customers.get(customerId)?.members.length ?? 1 };
  }
}

export interface NewIdentifierPlan extends GraphIdentifier {
  readonly unique: boolean;
  readonly evidence: LinkEvidence;
}

export interface NewTraitRecordPlan {
  readonly id: string;
  readonly customerId: string;
  readonly record: PreparedRecord;
  readonly keys: readonly string[];
  /** Set when the record joined an existing customer on the matcher's word (see StoredTraitRecord.linked). */
  readonly linked?: StoredTraitRecord['linked'];
}

export type EventOutcome =
  | { readonly kind: 'resolved'; readonly customerId: string; readonly identifiers: readonly TypedIdentifier[]; readonly reason: string }
  | { readonly kind: 'unresolvable'; readonly reason: string };

export interface ResolutionPlan {
  readonly newCustomers: Array<{ id: string; createdAt: string }>;
  readonly newIdentifiers: NewIdentifierPlan[];
  readonly merges: PlannedMerge[];
  /** Records linked probabilistically to a customer: they count towards its cluster size. */
  readonly memberLinks: Array<{ customerId: string; member: string }>;
  readonly newRecords: NewTraitRecordPlan[];
  readonly reviews: PlannedReview[];
  /** Unique identifiers ("type:value") found shared by people who differ: they stop linking on their own. */
  readonly sharedIdentifiers: string[];
  readonly relations: PlannedRelation[];
  /** Records re-resolution moved out of a customer (each followed by its merge, when it joins another). */
  readonly moves: PlannedMove[];
  /** Customers the matcher merged into another: their records marked as joined on its word, so re-resolution re-examines the merge. */
  readonly marks: PlannedMark[];
  /** One per input event, in order. */
  readonly outcomes: EventOutcome[];
}

interface Candidate {
  readonly customerId: string;
  /** The best score of the record against any of the customer's records. */
  readonly weight: number;
  /** The best score among pairs that agree on an individual trait; -Infinity when none does or a record contradicts. */
  readonly linkWeight: number;
  /** Why a candidate above the auto-merge threshold may not be linked automatically. */
  readonly blocked?: string;
}

/** How often re-resolution may move one record: once is enough to undo an early decision, and never oscillates. */
export const MAX_RECORD_MOVES = 1;
/** How much better (in bits) a record must match another customer than the rest of its own before it moves, when its own support is weak or contradicted... */
export const MOVE_MARGIN_BITS = 2;
/** ...and when it is not: only a match 2^10 times likelier moves a record away from a customer that supports it. */
export const CLEAR_MOVE_MARGIN_BITS = 10;

const describeTypes = (identifiers: readonly TypedIdentifier[]): string => [...new Set(identifiers.map((i) => i.type))].join(', ');

/**
 * Plans what a batch of events does to the identity graph, in order, as one instance processing
 * them one by one would: deterministic rules first (decideResolution), probabilistic matching
 * for events that carry personal traits and no strong identifier, the over-merge guards on every
 * automatic link. Pure: the caller loads the state, writes the plan and publishes.
 */
export class BatchResolver {
  private readonly plan: ResolutionPlan = {
    newCustomers: [],
    newIdentifiers: [],
    merges: [],
    memberLinks: [],
    newRecords: [],
    reviews: [],
    sharedIdentifiers: [],
    relations: [],
    moves: [],
    marks: [],
    outcomes: [],
  };

  constructor(
    private readonly state: GraphState,
    private readonly settings: ResolverSettings,
    /** Customers this batch created in an earlier round: their trait-only events are matched again. */
    private readonly freshCustomers: ReadonlySet<string> = new Set(),
    /**
     * Parts moved out earlier in the same re-match pass (part id -> the customer it left), by an
     * earlier page's resolver: the pass does not merge a part back into the customer it left.
     */
    private readonly movedThisPass: ReadonlyMap<string, Pick<PlannedMove, 'fromId' | 'reason'>> = new Map(),
  ) {}

  resolve(events: readonly ResolverEvent[]): ResolutionPlan {
    for (const event of events) this.plan.outcomes.push(this.resolveOne(event));
    return this.plan;
  }

  /**
   * A merge brings records together that were judged apart: a record the matcher linked to one of
   * the customers may now sit beside a record that plainly names someone else. The linked records
   * of these customers are resolved again (moveIfBetterElsewhere); the rest stay. The state must
   * hold every record of the customers (the service loads them whole for this).
   */
  reResolve(customerIds: readonly string[], cause: { readonly id: string; readonly time: string }): ResolutionPlan {
    const customers = new Set(customerIds.map((id) => this.state.current(id)));
    const linked = [...this.state.records.entries()].filter(
      ([, stored]) => stored.linked !== undefined && customers.has(this.state.current(stored.customerId)),
    );
    for (const [recordId, stored] of linked.sort(([x], [y]) => x.localeCompare(y))) {
      this.moveIfBetterElsewhere(
        { id: `${cause.id}:${recordId}`, time: cause.time, data: {} },
        recordId,
        this.state.records.get(recordId) ?? stored,
      );
    }
    return this.plan;
  }

  /**
   * Matches stored trait records again, under the current parameters, against everything stored
   * since: a record that now links to another customer joins their customers, under the same
   * guards as any automatic link. Run after a re-estimate, so that records resolved while the
   * model knew less end where they would have with what it knows now.
   */
  rematch(recordIds: readonly string[], cause: { readonly id: string; readonly time: string }): ResolutionPlan {
    for (const recordId of recordIds) {
      const stored = this.state.records.get(recordId);
      if (stored === undefined) continue;
      const event = { id: `${cause.id}:${recordId}`, time: cause.time, data: {} };
      const customerId = this.state.current(stored.customerId);
      const top = this.linkable(this.candidates(stored.record, customerId, this.state.identifiersOf(customerId)))[0];
      if (this.moveIfBetterElsewhere(event, recordId, stored, top)) continue;
      this.rematchFresh(event, stored.record, customerId, top);
    }
    return this.plan;
  }

  /**
   * Re-resolution of one record that joined its customer on the matcher's word. It moves, with
   * the identifiers it brought, to another customer that matches it clearly better than the rest
   * of its own does (by MOVE_MARGIN_BITS when nothing of its own supports it above the auto-merge
   * bar or one of its records names someone else, by CLEAR_MOVE_MARGIN_BITS otherwise), when the
   * two customers cannot simply be joined (their records contradict each other: otherwise the
   * ordinary re-match merges them). A record nothing of its customer supports, beside one that
   * names someone else, is split off on its own. Bounded: a record moves at most
   * MAX_RECORD_MOVES times, so records never oscillate. A record that came over in a probabilistic
   * merge of its whole customer (linked.merged) is judged and moved with the rest of that
   * customer's records: the merge itself is what is re-examined.
   */
  private moveIfBetterElsewhere(event: ResolverEvent, recordId: string, stored: StoredTraitRecord, candidate?: Candidate): boolean {
    const matching = this.settings.matching;
    const linked = stored.linked;
    if (matching === undefined || linked === undefined || (stored.moves ?? 0) >= MAX_RECORD_MOVES) return false;
    const fromId = this.state.current(stored.customerId);
    const member = `record:${linked.eventId}`;
    if (this.state.customers.get(fromId)?.members.includes(member) !== true) return false;
    const group = this.movingTogether(recordId, stored, fromId);
    const moving = new Set(group.map(([id]) => id));
    const { autoMerge, review } = matching.parameters.thresholds;
    const householdsAbsent = matching.parameters.households?.present === false;
    let support = Number.NEGATIVE_INFINITY;
    // The best score against any record of its customer, individual evidence or not.
    let best = Number.NEGATIVE_INFINITY;
    let contradicted = false;
    let others = 0;
    for (const [id, other] of this.state.records) {
      if (moving.has(id) || this.state.current(other.customerId) !== fromId) continue;
      others += 1;
      for (const [, mine] of group) {
        const score = scorePair(mine.record, other.record, matching.parameters, matching.termFrequencies);
        best = Math.max(best, score.totalWeight);
        if (householdsAbsent || agreesOnIndividualTrait(score) || sharePersonalMobile(mine.record, other.record))
          support = Math.max(support, score.totalWeight);
        if (score.totalWeight < review && contradictsOnIndividualTrait(score)) contradicted = true;
      }
    }
    if (others === 0) return false;
    const top = candidate ?? this.linkable(this.candidates(stored.record, fromId, linked.identifiers))[0];
    const margin = contradicted || support < autoMerge ? MOVE_MARGIN_BITS : CLEAR_MOVE_MARGIN_BITS;
    const better =
      top !== undefined &&
      top.weight >= autoMerge &&
      top.weight >= support + margin &&
      this.contradictionBetween(fromId, top.customerId) !== undefined
        ? top
        : undefined;
    // The link no longer holds: under the current parameters no record of its customer scores it
    // at the auto-merge bar (it was linked under parameters estimated on fewer records). Arriving
    // now it would not have joined, so it leaves, and a person sees the pair if it is close.
    const unsupported = best < autoMerge;
    if (better === undefined && !(contradicted && support < review) && !unsupported) return false;
    const partId = customerIdFor({ type: 'moved-record', value: recordId }, this.settings.customerIdKey);
    if (
      better !== undefined &&
      this.guard(better.customerId, partId, [{ kind: 'probabilistic', weight: better.weight }]).verdict === 'review'
    )
      return false;
    const moves = (stored.moves ?? 0) + 1;
    const supportText = Number.isFinite(support) ? support.toFixed(2) : 'none';
    const subject = linked.merged !== undefined ? 'its records' : 'it';
    const why =
      better !== undefined
        ? `scores ${better.weight.toFixed(2)} against ${better.customerId}, best ${supportText} against the rest of ${fromId}${contradicted ? ', one of whose records names someone else' : ''}`
        : contradicted && support < review
          ? `no record of ${fromId} supports ${subject} (best ${supportText}) and one names someone else`
          : `no record of ${fromId} scores ${subject} at the auto-merge bar ${autoMerge.toFixed(2)} any more (best ${best.toFixed(2)}, parameters ${matching.parameters.version})`;
    const merged = linked.merged;
    const reason =
      merged !== undefined
        ? `re-resolved: the matcher's merge of ${merged.customerId}${linked.score !== undefined ? ` (weight ${linked.score.toFixed(2)}, parameters ${linked.parametersVersion ?? 'unknown'})` : ''} no longer holds: ${why}`
        : `re-resolved: ${why}`;
    this.detachRecords(group, linked, fromId, partId, event.time, moves);
    this.plan.moves.push({
      recordId,
      eventId: linked.eventId,
      fromId,
      partId,
      ...(better !== undefined ? { toId: better.customerId, score: better.weight } : {}),
      identifiers: linked.identifiers,
      reason,
      ...(merged !== undefined ? { recordIds: group.map(([id]) => id), origins: merged.origins } : {}),
      support,
      at: event.time,
      moves,
    });
    if (better !== undefined) {
      this.merge(
        better.customerId,
        partId,
        reason,
        [],
        this.evidence(event, 'probabilistic:re-resolution', undefined, {
          score: better.weight,
          parametersVersion: matching.parameters.version,
        }),
      );
    } else if (best >= review) {
      // Between the thresholds: what a record arriving now would get, a person's decision.
      this.review('probabilistic', event, fromId, partId, reason, [], best);
    }
    return true;
  }

  /** The records that leave together with this one: those of the same merged customer still in fromId, or the record alone. */
  private movingTogether(recordId: string, stored: StoredTraitRecord, fromId: string): Array<[string, StoredTraitRecord]> {
    const eventId = stored.linked?.eventId;
    if (stored.linked?.merged === undefined || eventId === undefined) return [[recordId, stored]];
    return [...this.state.records.entries()]
      .filter(([id, other]) => id === recordId || (other.linked?.eventId === eventId && this.state.current(other.customerId) === fromId))
      .sort(([x], [y]) => x.localeCompare(y));
  }

  /** The records, their member entry and the identifiers they brought leave the customer for a part of their own. */
  private detachRecords(
    group: ReadonlyArray<[string, StoredTraitRecord]>,
    linked: LinkedByMatcher,
    fromId: string,
    partId: string,
    at: string,
    moves: number,
  ): void {
    const member = `record:${linked.eventId}`;
    const from = this.state.customers.get(fromId);
    if (from !== undefined) from.members = from.members.filter((m) => m !== member);
    this.state.customers.set(partId, { id: partId, createdAt: at, members: [partId, member], separatedFrom: [] });
    for (const [recordId, stored] of group) {
      this.state.records.set(recordId, { ...stored, customerId: partId, moves });
      // A record linked and moved within one batch is written where it ends up.
      const created = this.plan.newRecords.findIndex((planned) => planned.id === recordId);
      const planned = this.plan.newRecords[created];
      if (planned !== undefined) this.plan.newRecords[created] = { ...planned, customerId: partId };
    }
    const linkedHere = this.plan.memberLinks.findIndex((link) => link.member === member);
    if (linkedHere >= 0) this.plan.memberLinks.splice(linkedHere, 1);
    const leaving = new Set(linked.identifiers.map(uniqueIdentifierId));
    const held = this.state.identifiersOf(fromId);
    const staying = held.filter((identifier) => !leaving.has(uniqueIdentifierId(identifier)));
    held.splice(0, held.length, ...staying);
    this.state.identifiersOf(partId).push(...linked.identifiers);
    for (const id of leaving) {
      const owner = this.state.owners.get(id);
      if (owner !== undefined && this.state.current(owner.customerId) === fromId)
        this.state.owners.set(id, { ...owner, customerId: partId, originCustomerId: partId });
    }
  }

  /**
   * A probabilistic merge of two whole customers is evidence the next estimate may overturn, as
   * a probabilistic link of one record is: the merged customer's records not already linked on
   * the matcher's word are marked so (with the merge's weight and parameters version), and the
   * survivor holds the merge's member entry. Re-resolution then re-examines the merge as it does
   * a linked record. Deterministic merges and people's merges are not marked: they stay put.
   */
  private markMergedRecords(survivorId: string, mergedId: string, link: LinkEvidence): void {
    const merged = this.state.customers.get(mergedId);
    if (merged === undefined || this.state.customers.get(survivorId) === undefined) return;
    const origins = [mergedId, ...merged.members.filter((m) => m !== mergedId && !m.startsWith('record:'))];
    // Identifiers a linked record of the merged customer brought stay with that record (it is re-examined on its own).
    const ownedByLinked = new Set(
      [...this.state.records.values()]
        .filter((stored) => stored.linked !== undefined && this.state.current(stored.customerId) === mergedId)
        .flatMap((stored) => stored.linked?.identifiers.map(uniqueIdentifierId) ?? []),
    );
    const linked: LinkedByMatcher = {
      eventId: `${MERGE_LINK_PREFIX}${mergedId}:${link.eventId}`,
      identifiers: this.state.identifiersOf(mergedId).filter((identifier) => !ownedByLinked.has(uniqueIdentifierId(identifier))),
      ...(link.score !== undefined ? { score: link.score } : {}),
      ...(link.parametersVersion !== undefined ? { parametersVersion: link.parametersVersion } : {}),
      merged: { customerId: mergedId, origins },
    };
    for (const [id, stored] of this.state.records) {
      if (stored.linked !== undefined || this.state.current(stored.customerId) !== mergedId) continue;
      this.state.records.set(id, { ...stored, linked });
      const created = this.plan.newRecords.findIndex((planned) => planned.id === id);
      const planned = this.plan.newRecords[created];
      if (planned !== undefined) this.plan.newRecords[created] = { ...planned, linked };
    }
    this.plan.marks.push({ origins, linked });
    this.addMember(survivorId, `record:${linked.eventId}`);
  }

  private resolveOne(event: ResolverEvent): EventOutcome {
    const { rules } = this.settings;
    const { extraction, prepared } = readEvent(event, this.settings);
    const decision = decideResolution(extraction, this.knownCustomers(extraction.identifiers), rules);
    const carried = extraction.identifiers.map(({ type, value }) => ({ type, value }));
    if (decision.kind === 'unresolvable') return { kind: 'unresolvable', reason: decision.reason };

    let customerId: string;
    let reason = decision.reason;
    let linked: StoredTraitRecord['linked'];
    // The customer the event's record is stored under, when not the one it resolved to.
    let owner: string | undefined;
    switch (decision.kind) {
      case 'new-customer': {
        // No customer holds any of the event's unique identifiers: its personal traits are the
        // only evidence left, so the probabilistic matcher decides (or a person, between thresholds).
        const matched = prepared !== undefined ? this.linkProbabilistically(event, prepared, decision.identifiers) : undefined;
        if (matched !== undefined) {
          customerId = matched.customerId;
          reason = matched.reason;
          linked = {
            eventId: event.id,
            identifiers: decision.identifiers.map(({ type, value }) => ({ type, value })),
            score: matched.score,
            parametersVersion: matched.parametersVersion,
          };
        } else {
          customerId = this.createCustomer(event, decision);
          if (prepared !== undefined) this.queueCloseCandidates(event, prepared, customerId);
        }
        break;
      }
      case 'attach': {
        const shared =
          prepared !== undefined ? this.sharedWith(this.state.current(decision.customerId), decision.via, prepared) : undefined;
        if (shared !== undefined) {
          const own = extraction.identifiers.filter(
            (identifier) => !decision.via.some((via) => via.type === identifier.type && via.value === identifier.value),
          );
          if (own.length > 0 && prepared !== undefined) {
            customerId = this.separateSharer(event, prepared, own, this.state.current(decision.customerId), decision.via, shared);
            reason = `shared identifier: ${shared}`;
            break;
          }
        }
        customerId = this.state.current(decision.customerId);
        const via = decision.via[0];
        const origin = via !== undefined ? (this.state.owners.get(uniqueIdentifierId(via))?.originCustomerId ?? customerId) : customerId;
        this.attach(customerId, origin, decision.newIdentifiers, this.evidence(event, `deterministic:${via?.type ?? 'identifier'}`, via));
        if (prepared !== undefined && this.freshCustomers.has(customerId)) {
          // A customer this batch created may have lost a concurrent race to a lookalike written
          // by another instance; matching again converges on what one instance would have built.
          const fresh = customerId;
          customerId = this.rematchFresh(event, prepared, fresh);
          // Merged away: the event's record is one of the merged customer's, and reversible with them.
          const mark = this.plan.marks.find((m) => m.linked.merged?.customerId === fresh);
          if (customerId !== fresh && mark !== undefined) {
            owner = fresh;
            linked = mark.linked;
          }
        }
        break;
      }
      case 'merge':
        customerId = this.mergeDeterministically(event, decision);
        break;
    }
    customerId = this.state.current(customerId);
    if (prepared !== undefined) this.storeTraitRecord(owner ?? customerId, prepared, linked);
    return { kind: 'resolved', customerId, identifiers: carried, reason };
  }

  /**
   * Whether joining the event's identifiers to a customer would break a per-customer limit (a
   * second userId): a lookalike with a different one is a different person. Types keyed by people
   * (national ids) are weighed by the matcher instead.
   */
  private conflicts(customerId: string, identifiers: readonly TypedIdentifier[]): boolean {
    const held = this.state.identifiersOf(customerId);
    return identifiers.some((identifier) => {
      const rule = this.settings.rules.types.get(identifier.type);
      const max = rule?.maxPerCustomer ?? null;
      if (max === null) return false;
      const values = new Set(held.filter((h) => h.type === identifier.type).map((h) => h.value));
      return rule?.keyedByPeople !== true && !values.has(identifier.value) && values.size + 1 > max;
    });
  }

  /**
   * Why the event's person is not the holder of the identifiers it was found by, when those are
   * of a type people share and every record of the holder plainly names someone else (another
   * first name, another birth date) with none scoring as the same person; undefined otherwise.
   */
  private sharedWith(holderId: string, via: readonly TypedIdentifier[], record: PreparedRecord): string | undefined {
    const matching = this.settings.matching;
    if (matching === undefined || via.length === 0) return undefined;
    if (!via.every((identifier) => this.settings.rules.types.get(identifier.type)?.mayBeShared === true)) return undefined;
    const held = [...this.state.records.values()].filter((stored) => this.state.current(stored.customerId) === holderId);
    if (held.length === 0) return undefined;
    for (const stored of held) {
      const score = scorePair(record, stored.record, matching.parameters, matching.termFrequencies);
      const differs =
        differentFirstNames(score) || score.comparisons.some((item) => item.comparison === 'birthDate' && item.level === 'else');
      if (!differs || score.totalWeight >= matching.parameters.thresholds.autoMerge) return undefined;
    }
    return `${describeTypes(via)} of ${holderId} names someone else (another first name or birth date on every record)`;
  }

  /** The event's person kept apart from the holder of a shared identifier: matched on its own evidence, the two recorded as related. */
  private separateSharer(
    event: ResolverEvent,
    record: PreparedRecord,
    own: readonly TypedIdentifier[],
    holderId: string,
    via: readonly TypedIdentifier[],
    reason: string,
  ): string {
    for (const identifier of via) {
      const id = uniqueIdentifierId(identifier);
      const owner = this.state.owners.get(id);
      if (owner !== undefined) this.state.owners.set(id, { ...owner, shared: true });
      if (!this.plan.sharedIdentifiers.includes(id)) this.plan.sharedIdentifiers.push(id);
    }
    const matched = this.linkProbabilistically(event, record, own);
    const customerId =
      matched?.customerId ??
      this.createCustomer(event, {
        kind: 'new-customer',
        identifiers: own,
        reason,
        rulesVersion: this.settings.rules.version,
        refused: [],
      });
    const person = this.state.current(customerId);
    if (person !== holderId) {
      for (const identifier of via) {
        this.plan.relations.push({
          customerIds: [holderId, person],
          kind: 'shared-identifier',
          via: uniqueIdentifierId(identifier),
          reason,
          eventId: event.id,
          at: event.time,
        });
      }
    }
    return person;
  }

  private knownCustomers(identifiers: readonly TypedIdentifier[]): KnownCustomer[] {
    const known = new Map<string, TypedIdentifier[]>();
    for (const identifier of identifiers) {
      const owner = this.state.owners.get(uniqueIdentifierId(identifier));
      if (owner === undefined || owner.shared === true) continue;
      const id = this.state.current(owner.customerId);
      const held = known.get(id) ?? [...this.state.identifiersOf(id)];
      // The owning document is the evidence even if the customer's identifier list lags behind it.
      if (!held.some((h) => h.type === identifier.type && h.value === identifier.value))
        held.push({ type: identifier.type, value: identifier.value });
      known.set(id, held);
    }
    return [...known.entries()].map(([id, held]) => ({
      customerId: id,
      // An owner whose customer document is not visible yet (another instance mid-write) sorts
      // last: it cannot be older than a customer already stored.
      createdAt: this.state.customers.get(id)?.createdAt ?? '9999-12-31T23:59:59.999Z',
      identifiers: held,
    }));
  }

  private evidence(event: ResolverEvent, rule: string, via?: TypedIdentifier, extra: Partial<LinkEvidence> = {}): LinkEvidence {
    return {
      rule,
      eventId: event.id,
      at: event.time,
      rulesVersion: this.settings.rules.version,
      ...(via !== undefined ? { via: uniqueIdentifierId(via) } : {}),
      ...extra,
    };
  }

  private createCustomer(event: ResolverEvent, decision: Extract<ResolutionDecision, { kind: 'new-customer' }>): string {
    if (decision.identifiers.length === 0) throw new Error('unreachable: a new customer has an identifier');
    // Named after its first unique identifier, so that instances creating the same customer
    // concurrently create one. Never after a shared one: two people of a household giving the
    // same landline would otherwise be created as one customer. Without a unique identifier the
    // event itself names the customer (a redelivery creates the same one).
    // A shared identifier names its first holder: only an event with nothing else goes there.
    const unique = decision.identifiers.filter((identifier) => this.settings.rules.types.get(identifier.type)?.unique === true);
    const first = unique.find((identifier) => this.state.owners.get(uniqueIdentifierId(identifier))?.shared !== true) ?? unique[0];
    const id = customerIdFor(first ?? { type: 'event', value: event.id }, this.settings.customerIdKey);
    if (this.state.customers.has(id)) {
      // Created before (an earlier round, or split off and its identifier since reassigned).
      const current = this.state.current(id);
      this.attach(current, id, decision.identifiers, this.evidence(event, 'deterministic:first-seen'));
      return current;
    }
    this.state.customers.set(id, { id, createdAt: event.time, members: [id], separatedFrom: [] });
    this.plan.newCustomers.push({ id, createdAt: event.time });
    this.attach(id, id, decision.identifiers, this.evidence(event, 'deterministic:first-seen'));
    return id;
  }

  private attach(customerId: string, originCustomerId: string, identifiers: readonly TypedIdentifier[], evidence: LinkEvidence): void {
    const held = this.state.identifiersOf(customerId);
    for (const identifier of identifiers) {
      if (held.some((h) => h.type === identifier.type && h.value === identifier.value)) continue;
      const rule = this.settings.rules.types.get(identifier.type);
      const unique = rule?.unique === true;
      if (unique && this.state.owners.has(uniqueIdentifierId(identifier))) continue;
      const max = rule?.maxPerCustomer ?? null;
      // Probabilistic links can bring weak identifiers past a limit the rules set; refuse those.
      if (max !== null && held.filter((h) => h.type === identifier.type).length >= max) continue;
      const planned: NewIdentifierPlan = { type: identifier.type, value: identifier.value, customerId, originCustomerId, unique, evidence };
      held.push({ type: identifier.type, value: identifier.value });
      if (unique) this.state.owners.set(uniqueIdentifierId(identifier), planned);
      this.plan.newIdentifiers.push(planned);
    }
  }

  private mergeDeterministically(event: ResolverEvent, decision: Extract<ResolutionDecision, { kind: 'merge' }>): string {
    const survivorId = this.state.current(decision.survivorId);
    for (const mergedRaw of decision.mergedIds) {
      const mergedId = this.state.current(mergedRaw);
      if (mergedId === survivorId) continue;
      const via = decision.links.filter((link) => link.customerId === mergedRaw).map((link) => link.via);
      const weak = via.length > 0 && via.every((identifier) => this.settings.weakLinkTypes.has(identifier.type));
      const strength: LinkStrength = weak ? { kind: 'probabilistic', weight: 0 } : { kind: 'deterministic' };
      const verdict = this.guard(survivorId, mergedId, [strength]);
      if (verdict.verdict === 'review') {
        this.review(verdict.kind, event, survivorId, mergedId, verdict.reason, via);
        continue;
      }
      this.merge(
        survivorId,
        mergedId,
        `deterministic: both hold ${describeTypes(via)}`,
        via,
        this.evidence(event, `deterministic:${via[0]?.type ?? 'identifier'}`, via[0]),
      );
    }
    const first = decision.links[0]?.via;
    const origin = first !== undefined ? (this.state.owners.get(uniqueIdentifierId(first))?.originCustomerId ?? survivorId) : survivorId;
    this.attach(survivorId, origin, decision.newIdentifiers, this.evidence(event, `deterministic:${first?.type ?? 'identifier'}`, first));
    return survivorId;
  }

  /** The over-merge guards plus the memory of splits: customers split apart are only joined by a person. */
  private guard(
    a: string,
    b: string,
    links: readonly LinkStrength[],
  ): { verdict: 'allow' } | { verdict: 'review'; kind: ReviewKind; reason: string } {
    const customerA = this.state.customers.get(a);
    const customerB = this.state.customers.get(b);
    if (customerA?.separatedFrom.includes(b) === true || customerB?.separatedFrom.includes(a) === true) {
      return { verdict: 'review', kind: 'split-separated', reason: `split guard: ${a} and ${b} were split apart by a person` };
    }
    const verdict: GuardVerdict = guardLink(this.state.summary(a), this.state.summary(b), links, this.settings.guard);
    return verdict.verdict === 'review' ? { verdict: 'review', kind: 'over-merge-guard', reason: verdict.reason } : { verdict: 'allow' };
  }

  private merge(survivorId: string, mergedId: string, reason: string, evidence: readonly TypedIdentifier[], link: LinkEvidence): void {
    const survivor = this.state.customers.get(survivorId);
    const merged = this.state.customers.get(mergedId);
    if (survivor === undefined || merged === undefined) return;
    merged.mergedInto = survivorId;
    merged.mergeAnnounced = false;
    for (const member of merged.members) if (!survivor.members.includes(member)) survivor.members.push(member);
    for (const separated of merged.separatedFrom) if (!survivor.separatedFrom.includes(separated)) survivor.separatedFrom.push(separated);
    this.state.moveIdentifiers(mergedId, survivorId);
    this.plan.merges.push({
      survivorId,
      mergedId,
      reason,
      evidence,
      link,
      members: [...merged.members],
      separatedFrom: [...merged.separatedFrom],
    });
  }

  private review(
    kind: ReviewKind,
    event: ResolverEvent,
    a: string,
    b: string,
    reason: string,
    evidence: readonly TypedIdentifier[],
    score?: number,
  ): void {
    const id = reviewIdFor(kind, a, b);
    if (this.plan.reviews.some((r) => r.id === id)) return;
    this.plan.reviews.push({
      id,
      kind,
      customerIds: [a, b],
      reason,
      evidence,
      eventId: event.id,
      at: event.time,
      ...(score !== undefined ? { score } : {}),
    });
  }

  /**
   * Current customers resembling a record, strongest first (one entry per customer). A customer
   * is judged on all of its records the blocking keys reach, not only on its best-matching one:
   * online, a customer is often a cluster built from a few records, and a record that resembles
   * one of them while plainly contradicting another is a relative, not the same person.
   */
  private candidates(record: PreparedRecord, exclude?: string, identifiers: readonly TypedIdentifier[] = []): Candidate[] {
    const matching = this.settings.matching;
    if (matching === undefined) return [];
    const ids = new Set<string>();
    for (const key of blockingKeys(record)) {
      const list = this.state.postings.get(key);
      if (list === undefined || list.length > matching.maxBlockSize) continue;
      for (const id of list) ids.add(id);
    }
    const { autoMerge, review } = matching.parameters.thresholds;
    // Where the trained parameters found no households, household evidence is a person's evidence.
    const householdsAbsent = matching.parameters.households?.present === false;
    const found = new Map<string, { weight: number; linkWeight: number; scored: number; contradicting: number }>();
    for (const id of [...ids].sort()) {
      const stored = this.state.records.get(id);
      if (stored === undefined) continue;
      const customerId = this.state.current(stored.customerId);
      if (customerId === exclude || this.conflicts(customerId, identifiers)) continue;
      const score = scorePair(record, stored.record, matching.parameters, matching.termFrequencies);
      const entry = found.get(customerId) ?? {
        weight: Number.NEGATIVE_INFINITY,
        linkWeight: Number.NEGATIVE_INFINITY,
        scored: 0,
        contradicting: 0,
      };
      entry.weight = Math.max(entry.weight, score.totalWeight);
      const individual = agreesOnIndividualTrait(score) || sharePersonalMobile(record, stored.record);
      const sureHousehold = score.totalWeight >= autoMerge + this.settings.guard.householdLinkMargin && !differentFirstNames(score);
      if (individual || sureHousehold || householdsAbsent) entry.linkWeight = Math.max(entry.linkWeight, score.totalWeight);
      entry.scored += 1;
      if (score.totalWeight < review && contradictsOnIndividualTrait(score)) entry.contradicting += 1;
      found.set(customerId, entry);
    }
    return [...found.entries()]
      .map(([customerId, { weight, linkWeight, scored, contradicting }]): Candidate => {
        // A relative resembles one of a customer's records and contradicts the rest; a record
        // of the same person may contradict one garbled record among several that agree, when
        // its best link is strong on its own, or, where the data holds no households (no
        // relatives to mistake for the person), while most of the records agree.
        const entry = {
          weight,
          linkWeight,
          contradicted:
            contradicting > 0 && (contradicting * 2 >= scored || (!householdsAbsent && weight < this.settings.guard.strongLinkWeight)),
        };
        const blocked =
          entry.weight < autoMerge
            ? undefined
            : entry.contradicted
              ? "contradicted: another of the customer's records names a different first name, birth date or national id"
              : entry.linkWeight < autoMerge
                ? 'household evidence only: no first name, birth date, national id or mobile number agrees'
                : undefined;
        return {
          customerId,
          weight: entry.weight,
          linkWeight: entry.contradicted ? Number.NEGATIVE_INFINITY : entry.linkWeight,
          ...(blocked !== undefined ? { blocked } : {}),
        };
      })
      .sort((x, y) => y.weight - x.weight || x.customerId.localeCompare(y.customerId));
  }

  /** Candidates an automatic link may join, by the weight of their individual evidence. */
  private linkable(candidates: readonly Candidate[]): Candidate[] {
    const autoMerge = this.settings.matching?.parameters.thresholds.autoMerge ?? Number.POSITIVE_INFINITY;
    return candidates
      .filter((candidate) => candidate.linkWeight >= autoMerge)
      .map((candidate) => ({ ...candidate, weight: candidate.linkWeight }))
      .sort((x, y) => y.weight - x.weight || x.customerId.localeCompare(y.customerId));
  }

  /**
   * A trait-only event joins the best-scoring customer above the auto-merge threshold when the
   * guards allow; a second customer also above it would be bridged by this one record, which the
   * bridge guard decides. Returns undefined when the event should become a new customer.
   */
  private linkProbabilistically(
    event: ResolverEvent,
    record: PreparedRecord,
    identifiers: readonly TypedIdentifier[],
  ): { customerId: string; reason: string; score: number; parametersVersion: string } | undefined {
    const matching = this.settings.matching;
    if (matching === undefined) return undefined;
    const candidates = this.linkable(this.candidates(record, undefined, identifiers));
    const top = candidates[0];
    const { autoMerge } = matching.parameters.thresholds;
    if (top === undefined || top.weight < autoMerge) return undefined;
    const verdict = this.guard(top.customerId, `record:${event.id}`, [{ kind: 'probabilistic', weight: top.weight }]);
    if (verdict.verdict === 'review') return undefined;
    const customerId = top.customerId;
    const evidence = this.evidence(event, 'probabilistic:fellegi-sunter', undefined, {
      score: top.weight,
      parametersVersion: matching.parameters.version,
    });
    this.attach(customerId, customerId, identifiers, evidence);
    this.addMember(customerId, `record:${event.id}`);
    for (const other of candidates.slice(1)) {
      if (other.weight < autoMerge) break;
      this.bridge(event, customerId, other);
    }
    return {
      customerId: this.state.current(customerId),
      reason: `probabilistic: weight ${top.weight.toFixed(2)} >= ${autoMerge.toFixed(2)} (parameters ${matching.parameters.version})`,
      score: top.weight,
      parametersVersion: matching.parameters.version,
    };
  }

  /** A record matching two customers links them: merged when the guards allow, else reviewed. */
  private bridge(event: ResolverEvent, customerId: string, other: Candidate): void {
    const a = this.state.current(customerId);
    const b = this.state.current(other.customerId);
    if (a === b) return;
    if (this.conflicts(a, this.state.identifiersOf(b))) {
      this.review(
        'over-merge-guard',
        event,
        a,
        b,
        `conflict: one record matches both, but together they would break an identifier limit`,
        [],
        other.weight,
      );
      return;
    }
    const verdict = this.guard(a, b, [{ kind: 'probabilistic', weight: other.weight }]);
    if (verdict.verdict === 'review') {
      this.review(verdict.kind, event, a, b, verdict.reason, [], other.weight);
      return;
    }
    // One record resembling two customers is how households chain into one customer (shared
    // surname, address and landline). The record agrees with each on an individual trait and
    // contradicts neither (linkable), but the two customers may still contradict each other (the
    // record lacks the birth date that tells them apart): then a person decides, unless the link
    // is strong on its own.
    const contradiction = this.contradictionBetween(a, b);
    if (contradiction !== undefined && other.weight < this.settings.guard.strongLinkWeight) {
      this.review(
        'over-merge-guard',
        event,
        a,
        b,
        `bridge: one record links both (weight ${other.weight.toFixed(2)} < strong ${this.settings.guard.strongLinkWeight}), but ${contradiction}`,
        [],
        other.weight,
      );
      return;
    }
    const [survivorId, mergedId] = this.older(a, b);
    const version = this.settings.matching?.parameters.version;
    const link = this.evidence(event, 'probabilistic:fellegi-sunter', undefined, {
      score: other.weight,
      ...(version !== undefined ? { parametersVersion: version } : {}),
    });
    this.markMergedRecords(survivorId, mergedId, link);
    this.merge(survivorId, mergedId, `probabilistic: one record scores ${other.weight.toFixed(2)} against both`, [], link);
  }

  /** A pair of the two customers' known records that plainly belongs to two people, described; undefined if none. */
  private contradictionBetween(a: string, b: string): string | undefined {
    const matching = this.settings.matching;
    if (matching === undefined) return undefined;
    const ofA: PreparedRecord[] = [];
    const ofB: PreparedRecord[] = [];
    for (const stored of this.state.records.values()) {
      const owner = this.state.current(stored.customerId);
      if (owner === a) ofA.push(stored.record);
      else if (owner === b) ofB.push(stored.record);
    }
    for (const x of ofA) {
      for (const y of ofB) {
        const score = scorePair(x, y, matching.parameters, matching.termFrequencies);
        if (score.totalWeight < matching.parameters.thresholds.review && contradictsOnIndividualTrait(score)) {
          return `their records contradict each other (weight ${score.totalWeight.toFixed(2)}: a different first name, birth date or national id)`;
        }
      }
    }
    return undefined;
  }

  private older(a: string, b: string): [string, string] {
    const x = this.state.customers.get(a)?.createdAt ?? '';
    const y = this.state.customers.get(b)?.createdAt ?? '';
    return x < y || (x === y && a < b) ? [a, b] : [b, a];
  }

  private addMember(customerId: string, member: string): void {
    const customer = this.state.customers.get(customerId);
    if (customer !== undefined && !customer.members.includes(member)) customer.members.push(member);
    this.plan.memberLinks.push({ customerId, member });
  }

  /** Candidates between the thresholds (or held back by a guard) go to a person. */
  private queueCloseCandidates(event: ResolverEvent, record: PreparedRecord, customerId: string): void {
    const matching = this.settings.matching;
    if (matching === undefined) return;
    for (const candidate of this.candidates(record, customerId).slice(0, 3)) {
      if (candidate.weight < matching.parameters.thresholds.review) break;
      const held = candidate.weight >= matching.parameters.thresholds.autoMerge;
      const reason = held
        ? (candidate.blocked ??
          (() => {
            const verdict = this.guard(candidate.customerId, `record:${event.id}`, [{ kind: 'probabilistic', weight: candidate.weight }]);
            return verdict.verdict === 'review' ? verdict.reason : 'held back';
          })())
        : `probabilistic: weight ${candidate.weight.toFixed(2)} between review ${matching.parameters.thresholds.review.toFixed(2)} and auto-merge ${matching.parameters.thresholds.autoMerge.toFixed(2)}`;
      this.review(held ? 'over-merge-guard' : 'probabilistic', event, candidate.customerId, customerId, reason, [], candidate.weight);
    }
  }

  private rematchFresh(event: ResolverEvent, record: PreparedRecord, customerId: string, candidate?: Candidate): string {
    const matching = this.settings.matching;
    if (matching === undefined) return customerId;
    const top = candidate ?? this.linkable(this.candidates(record, customerId, this.state.identifiersOf(customerId)))[0];
    if (top === undefined || top.weight < matching.parameters.thresholds.autoMerge) return customerId;
    // One verdict per pair per pass: a part this pass moved out of a customer does not rejoin it
    // in the same pass (a page scoring the pair over the bar after another scored it under); a
    // person sees the pair instead, since it scores above the review bar here.
    const left = this.leftThisPass(top.customerId, customerId);
    if (left !== undefined) {
      this.review(
        'probabilistic',
        event,
        top.customerId,
        customerId,
        `re-match: weight ${top.weight.toFixed(2)}, but ${left.partId} left ${left.fromId} earlier in the same pass (${left.reason}); not merged back by the pass`,
        [],
        top.weight,
      );
      return customerId;
    }
    // What one instance would have done had it seen the other record first: link them, under
    // the same guards as any automatic link.
    const verdict = this.guard(top.customerId, customerId, [{ kind: 'probabilistic', weight: top.weight }]);
    if (verdict.verdict === 'review') {
      this.review(verdict.kind, event, top.customerId, customerId, verdict.reason, [], top.weight);
      return customerId;
    }
    const [survivorId, mergedId] = this.older(top.customerId, customerId);
    const link = this.evidence(event, 'probabilistic:fellegi-sunter', undefined, {
      score: top.weight,
      parametersVersion: matching.parameters.version,
    });
    this.markMergedRecords(survivorId, mergedId, link);
    this.merge(survivorId, mergedId, `probabilistic: weight ${top.weight.toFixed(2)} (records resolved concurrently)`, [], link);
    return this.state.current(customerId);
  }

  /** The move of this pass (an earlier page's or this plan's) that took one of the two customers out of the other. */
  private leftThisPass(a: string, b: string): { partId: string; fromId: string; reason: string } | undefined {
    const x = this.state.current(a);
    const y = this.state.current(b);
    const moved: Array<[string, string, string]> = [
      ...[...this.movedThisPass].map(([partId, move]): [string, string, string] => [partId, move.fromId, move.reason]),
      ...this.plan.moves.map((move): [string, string, string] => [move.partId, move.fromId, move.reason]),
    ];
    for (const [partId, fromId, reason] of moved) {
      const part = this.state.current(partId);
      const from = this.state.current(fromId);
      if ((part === x && from === y) || (part === y && from === x)) return { partId, fromId, reason };
    }
    return undefined;
  }

  private storeTraitRecord(customerId: string, prepared: PreparedRecord, linked?: StoredTraitRecord['linked']): void {
    const { recordId: _ignored, ...fields } = prepared;
    const id = traitRecordIdFor(customerId, fields);
    if (this.state.records.has(id)) return;
    const record: PreparedRecord = { ...fields, recordId: id };
    const keys = blockingKeys(record);
    this.state.records.set(id, { record, customerId, ...(linked !== undefined ? { linked } : {}) });
    for (const key of keys) {
      const list = this.state.postings.get(key) ?? [];
      list.push(id);
      this.state.postings.set(key, list);
    }
    this.plan.newRecords.push({ id, customerId, record, keys, ...(linked !== undefined ? { linked } : {}) });
  }
}

export interface BatchLookups {
  /** Unique identifier ids ("type:value") the batch carries. */
  readonly identifierIds: string[];
  readonly blockingKeys: string[];
  /** Trait records to read whatever their blocks' sizes (every record of customers resolved again). */
  readonly recordIds?: string[];
  /** Term-frequency entries ("firstName:jane") the batch's records may be scored on. */
  readonly termKeys: string[];
}

/** What the batch needs read from the store before it can be planned: one read per kind. */
/** What the resolver reads from an event: its identifiers under the rules, its personal traits as a record to match. */
interface EventReading {
  readonly rules: IdentityRules;
  readonly matching: boolean;
  readonly extraction: Extraction;
  readonly prepared: PreparedRecord | undefined;
}

// A batch's events are read for its lookups (lookupsFor), then resolved, and again in a
// reconcile round: what is read depends only on the event and the rules in force (and on whether
// matching is on), so each event is read once per rules. Held as long as the event object is.
const readings = new WeakMap<ResolverEvent, EventReading>();

/** The event's identifiers and prepared record under these settings' rules, read once per event and rules. */
export function readEvent(event: ResolverEvent, settings: Pick<ResolverSettings, 'rules' | 'matching'>): EventReading {
  const matching = settings.matching !== undefined;
  const known = readings.get(event);
  if (known !== undefined && known.rules === settings.rules && known.matching === matching) return known;
  const traits = matching ? personalTraitsOf(event.data) : undefined;
  const reading: EventReading = {
    rules: settings.rules,
    matching,
    extraction: extractIdentifiers(event.data, settings.rules),
    prepared: traits !== undefined ? prepareRecord('incoming', traits) : undefined,
  };
  readings.set(event, reading);
  return reading;
}

export function lookupsFor(events: readonly ResolverEvent[], settings: ResolverSettings): BatchLookups {
  const identifierIds = new Set<string>();
  const keys = new Set<string>();
  const terms = new Set<string>();
  for (const event of events) {
    const { extraction, prepared } = readEvent(event, settings);
    for (const identifier of extraction.identifiers) {
      if (settings.rules.types.get(identifier.type)?.unique === true) identifierIds.add(uniqueIdentifierId(identifier));
    }
    if (prepared !== undefined) addRecordLookups(prepared, keys, terms);
  }
  return { identifierIds: [...identifierIds], blockingKeys: [...keys], termKeys: [...terms] };
}

function addRecordLookups(record: PreparedRecord, keys: Set<string>, terms: Set<string>): void {
  for (const key of blockingKeys(record)) keys.add(key);
  for (const term of termKeysOf([record])) terms.add(term);
}

/** Term-frequency entries of records' names; names may be entered the wrong way round, so each is looked up in both tables. */
export function termKeysOf(records: readonly PreparedRecord[]): string[] {
  const terms = new Set<string>();
  for (const record of records) {
    for (const name of [record.firstName, record.lastName]) {
      if (name === undefined) continue;
      terms.add(`firstName:${name}`);
      terms.add(`lastName:${name}`);
    }
  }
  return [...terms];
}

/** What matching stored records again (BatchResolver.rematch) needs read: their blocks and name frequencies. */
export function lookupsForRecords(records: readonly PreparedRecord[]): BatchLookups {
  const keys = new Set<string>();
  const terms = new Set<string>();
  for (const record of records) addRecordLookups(record, keys, terms);
  return { identifierIds: [], blockingKeys: [...keys], termKeys: [...terms] };
}
