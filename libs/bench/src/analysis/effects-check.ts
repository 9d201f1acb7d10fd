import { AcceptedEvent } from '../load/load-driver';
import { RecordedMessage } from '../measure/topic-recorder';
import { StageName } from './completion';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was compared, in numbers. */
  detail: Record<string, number | string>;
}

export interface EffectsInput {
  accepted: ReadonlyMap<string, AcceptedEvent>;
  ingest: readonly RecordedMessage[];
  identity: readonly RecordedMessage[];
  changes: readonly RecordedMessage[];
  value: readonly RecordedMessage[];
  needs: readonly RecordedMessage[];
  membership: readonly RecordedMessage[];
  running: ReadonlySet<StageName>;
  deadLetters: number;
  /** Every accepted event completed: otherwise missing downstream effects may only be late. */
  drained: boolean;
  /** Customers erased on purpose (their states are tombstoned): left out of the value and needs checks. */
  erased?: ReadonlySet<string>;
}

/**
 * Zero lost, zero duplicated effects, checked on what the services published (the public
 * contract), not on their databases:
 *  1. every accepted messageId is on ingest.events exactly once, and nothing else is;
 *  2. every ingested event id is on identity.events exactly once (same envelope id);
 *  3. value: the latest value.scores state of each live customer counts exactly the orders the
 *     bench sent for it (customers followed through identity.changes merges), and totals match;
 *  4. needs: every resolved customer has a needs profile, and no profile event was published twice;
 *  5. membership: per customer, sequences strictly increase with no repeat, and each segment
 *     alternates entered/exited (a replayed effect would repeat a sequence or an entry);
 *  6. nothing was dead-lettered.
 */
export function checkEffects(input: EffectsInput): CheckResult[] {
  const results: CheckResult[] = [];
  const ingestCount = countBy(input.ingest, (r) => stringField(r.data['messageId']) ?? r.correlationid);
  let lost = 0;
  let duplicated = 0;
  for (const id of input.accepted.keys()) {
    const n = ingestCount.get(id) ?? 0;
    if (n === 0) lost++;
    else if (n > 1) duplicated++;
  }
  const unacknowledged = [...ingestCount.keys()].filter((id) => id !== undefined && !input.accepted.has(id)).length;
  results.push({
    name: 'accepted -> ingest.events exactly once',
    ok: lost === 0 && duplicated === 0,
    detail: { accepted: input.accepted.size, onTopic: input.ingest.length, lost, duplicated, writtenButNotAcknowledged: unacknowledged },
  });

  if (!input.running.has('identity-resolution'))
    return [...results, skipped('ingest.events -> identity.events', 'identity-resolution not running')];
  const identityCount = countBy(input.identity, (r) => r.id);
  const ingestIds = new Set(input.ingest.map((r) => r.id));
  let idLost = 0;
  let idDuplicated = 0;
  for (const id of ingestIds) {
    const n = identityCount.get(id) ?? 0;
    if (n === 0) idLost++;
    else if (n > 1) idDuplicated++;
  }
  results.push({
    name: 'ingest.events -> identity.events exactly once (by envelope id)',
    ok: idLost === 0 && idDuplicated === 0,
    detail: { ingested: ingestIds.size, resolved: input.identity.length, lost: idLost, duplicated: idDuplicated },
  });

  const survivorOf = mergeResolver(input.changes);
  const mergedAway = new Set(input.changes.map((r) => stringField(r.data['mergedId'])).filter((x): x is string => x !== undefined));
  const customerOfMessage = new Map<string, string>();
  for (const r of input.identity) {
    const messageId = stringField(r.data['messageId']);
    const customer = stringField(r.data['customerId']);
    if (messageId && customer) customerOfMessage.set(messageId, survivorOf(customer));
  }
  // Customers erased on purpose: their state is meant to be gone.
  const erased = input.erased ?? new Set<string>();
  const erasedMessages = new Set<string>();
  for (const [messageId, customer] of customerOfMessage) {
    if (!erased.has(customer)) continue;
    erasedMessages.add(messageId);
    customerOfMessage.delete(messageId);
  }

  if (input.running.has('value-scoring')) {
    const expected = new Map<string, { orders: number; revenue: number }>();
    let orders = 0;
    let revenue = 0;
    for (const e of input.accepted.values()) {
      if (!e.order) continue;
      if (erasedMessages.has(e.messageId)) continue;
      orders++;
      revenue += e.order.revenue;
      const customer = customerOfMessage.get(e.messageId) ?? `unresolved:${e.messageId}`;
      const entry = expected.get(customer) ?? { orders: 0, revenue: 0 };
      entry.orders++;
      entry.revenue += e.order.revenue;
      expected.set(customer, entry);
    }
    const latest = latestByKey(input.value);
    const valueCopies = duplicates(input.value);
    let statePurchases = 0;
    let stateRevenue = 0;
    let wrongCustomers = 0;
    let missingCustomers = 0;
    for (const [key, r] of latest) {
      if (r.tombstone || mergedAway.has(key) || erased.has(key)) continue;
      const purchases = numberField(r.data['purchases']) ?? 0;
      statePurchases += purchases;
      stateRevenue += numberField(r.data['revenue']) ?? 0;
      if ((expected.get(key)?.orders ?? 0) !== purchases) wrongCustomers++;
    }
    for (const key of expected.keys()) if (!latest.has(key) || latest.get(key)?.tombstone) missingCustomers++;
    results.push({
      name: 'value.scores counts every order exactly once',
      ok:
        statePurchases === orders &&
        wrongCustomers === 0 &&
        missingCustomers === 0 &&
        Math.abs(stateRevenue - revenue) < 0.01 * Math.max(1, orders) &&
        valueCopies === 0,
      detail: {
        ordersSent: orders,
        purchasesInLatestStates: statePurchases,
        revenueSent: Math.round(revenue * 100) / 100,
        revenueInLatestStates: Math.round(stateRevenue * 100) / 100,
        customersWithOrders: expected.size,
        customersWithWrongCount: wrongCustomers,
        customersWithoutState: missingCustomers,
        republishedEventIds: valueCopies,
        ...copiesDetail(input.value, valueCopies),
      },
    });
  } else results.push(skipped('value.scores', 'value-scoring not running'));

  if (input.running.has('needs-profiling')) {
    const profiled = new Set([...latestByKey(input.needs)].filter(([, r]) => !r.tombstone).map(([k]) => k));
    const customers = new Set(customerOfMessage.values());
    const without = [...customers].filter((c) => !profiled.has(c) && !mergedAway.has(c)).length;
    const republished = duplicates(input.needs);
    results.push({
      name: 'needs.profiles covers every customer, no profile event twice',
      ok: without === 0 && republished === 0,
      detail: {
        customers: customers.size,
        withProfile: customers.size - without,
        withoutProfile: without,
        republishedEventIds: republished,
        ...copiesDetail(input.needs, republished),
      },
    });
  } else results.push(skipped('needs.profiles', 'needs-profiling not running'));

  if (input.running.has('campaign-customization')) {
    const byCustomer = new Map<string, RecordedMessage[]>();
    for (const r of input.membership) {
      const customer = stringField(r.data['customerId']) ?? r.key ?? '';
      const list = byCustomer.get(customer) ?? [];
      list.push(r);
      byCustomer.set(customer, list);
    }
    let badSequence = 0;
    let badAlternation = 0;
    for (const list of byCustomer.values()) {
      list.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
      let last = -1;
      const state = new Map<string, string>();
      for (const r of list) {
        const sequence = numberField(r.data['sequence']) ?? -1;
        if (sequence <= last) badSequence++;
        last = Math.max(last, sequence);
        const segment = stringField(r.data['segmentId']) ?? '';
        const change = stringField(r.data['change']) ?? '';
        if (state.get(segment) === change) badAlternation++;
        state.set(segment, change);
      }
    }
    const membershipCopies = duplicates(input.membership);
    results.push({
      name: 'segments.membership: no repeated or reordered change',
      ok: badSequence === 0 && badAlternation === 0 && membershipCopies === 0,
      detail: {
        changes: input.membership.length,
        customers: byCustomer.size,
        sequenceNotIncreasing: badSequence,
        sameChangeTwice: badAlternation,
        republishedEventIds: membershipCopies,
        ...copiesDetail(input.membership, membershipCopies),
      },
    });
  } else results.push(skipped('segments.membership', 'campaign-customization not running'));

  results.push({ name: 'nothing dead-lettered', ok: input.deadLetters === 0, detail: { deadLetters: input.deadLetters } });
  if (input.drained) return results;
  // Not drained: a missing effect may be late rather than lost; duplicates still count.
  return results.map((r, i) =>
    i === 0 || r.ok || r.name === 'nothing dead-lettered' ? r : { ...r, name: `${r.name} (pipeline not drained: inconclusive)` },
  );
}

function skipped(name: string, why: string): CheckResult {
  return { name, ok: true, detail: { skipped: why } };
}

function countBy<K>(records: readonly RecordedMessage[], key: (r: RecordedMessage) => K): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of records) {
    const k = key(r);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

function duplicates(records: readonly RecordedMessage[]): number {
  let n = 0;
  for (const count of countBy(
    records.filter((r) => r.id !== undefined),
    (r) => r.id,
  ).values())
    if (count > 1) n += count - 1;
  return n;
}

/** How many ids published more than once a check names, with where each copy is. */
export const COPY_SAMPLES = 3;

/**
 * Ids on a topic more than once, each with every copy's place and producer time
 * (`<id> at p<partition>@<offset> <time>, ...`): the first `max`, in the order of their first copy.
 */
export function copiedIds(records: readonly RecordedMessage[], max = COPY_SAMPLES): string[] {
  const byId = new Map<string, RecordedMessage[]>();
  for (const r of records) {
    if (r.id === undefined) continue;
    const list = byId.get(r.id) ?? [];
    list.push(r);
    byId.set(r.id, list);
  }
  const copied = [...byId.entries()].filter(([, list]) => list.length > 1).slice(0, max);
  return copied.map(
    ([id, list]) =>
      `${id} at ${list
        .map((r) => `p${r.partition}@${r.offset} ${Number.isFinite(r.kafkaTs) ? new Date(r.kafkaTs).toISOString() : '?'}`)
        .join(', ')}`,
  );
}

/** The copies' names for a check's detail (nothing when there is none). */
function copiesDetail(records: readonly RecordedMessage[], copies: number): Record<string, string> {
  return copies === 0 ? {} : { copies: copiedIds(records).join('; ') };
}

/** Latest message per key (a key lives on one partition, so the highest offset is the latest). */
function latestByKey(records: readonly RecordedMessage[]): Map<string, RecordedMessage> {
  const out = new Map<string, RecordedMessage>();
  for (const r of records) {
    if (r.key === null) continue;
    const known = out.get(r.key);
    if (!known || known.offset < r.offset) out.set(r.key, r);
  }
  return out;
}

function mergeResolver(changes: readonly RecordedMessage[]): (customer: string) => string {
  const next = new Map<string, string>();
  for (const r of changes) {
    const merged = stringField(r.data['mergedId']);
    const survivor = stringField(r.data['survivorId']);
    if (merged && survivor) next.set(merged, survivor);
  }
  return (customer) => {
    let current = customer;
    for (let hops = 0; hops < 100; hops++) {
      const n = next.get(current);
      if (n === undefined || n === current) return current;
      current = n;
    }
    return current;
  };
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
