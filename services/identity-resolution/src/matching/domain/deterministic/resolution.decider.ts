import { Extraction, ExtractedIdentifier, RejectedIdentifier } from './identifier.extractor';
import { identifierKey, TypedIdentifier } from './identifier.model';
import { CompiledIdentifierType, IdentityRules } from './identity-rules.schema';

/** A customer that already holds at least one of the event's identifiers. */
export interface KnownCustomer {
  readonly customerId: string;
  /** When the customer was first created (ISO 8601); the oldest survives a merge. */
  readonly createdAt: string;
  readonly identifiers: readonly TypedIdentifier[];
}

export interface RefusedLink {
  readonly identifier: TypedIdentifier | { readonly type: string; readonly source: string };
  /** The customer the link would have joined, when there is one. */
  readonly customerId?: string;
  readonly reason: string;
}

export interface MergeLink {
  readonly customerId: string;
  /** The event's identifier that this customer already holds. */
  readonly via: TypedIdentifier;
}

interface DecisionBase {
  readonly rulesVersion: string;
  readonly reason: string;
  readonly refused: readonly RefusedLink[];
}

export type ResolutionDecision =
  | (DecisionBase & { readonly kind: 'new-customer'; readonly identifiers: readonly TypedIdentifier[] })
  | (DecisionBase & {
      readonly kind: 'attach';
      readonly customerId: string;
      /** The event's identifiers the customer does not hold yet. */
      readonly newIdentifiers: readonly TypedIdentifier[];
      readonly via: readonly TypedIdentifier[];
    })
  | (DecisionBase & {
      readonly kind: 'merge';
      readonly survivorId: string;
      /** Customers folded into the survivor, oldest first. */
      readonly mergedIds: readonly string[];
      readonly links: readonly MergeLink[];
      readonly newIdentifiers: readonly TypedIdentifier[];
    })
  | (DecisionBase & { readonly kind: 'unresolvable' });

function compareCustomers(a: KnownCustomer, b: KnownCustomer): number {
  // Deterministic: every instance, given the same inputs, picks the same survivor.
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0;
}

function describe(identifier: TypedIdentifier): string {
  return `${identifier.type} ${identifier.value}`;
}

/** Distinct values per type of a set of identifiers. */
class IdentifierSet {
  private readonly byType = new Map<string, Set<string>>();

  constructor(initial: readonly TypedIdentifier[] = []) {
    for (const identifier of initial) this.add(identifier);
  }

  add(identifier: TypedIdentifier): void {
    const values = this.byType.get(identifier.type) ?? new Set<string>();
    values.add(identifier.value);
    this.byType.set(identifier.type, values);
  }

  has(identifier: TypedIdentifier): boolean {
    return this.byType.get(identifier.type)?.has(identifier.value) ?? false;
  }

  /** The first type whose limit the union with `extra` would exceed, if any. */
  firstExceeded(extra: readonly TypedIdentifier[], rules: IdentityRules): { type: string; count: number; max: number } | undefined {
    const union = new Map<string, Set<string>>();
    for (const [type, values] of this.byType) union.set(type, new Set(values));
    for (const identifier of extra) {
      const values = union.get(identifier.type) ?? new Set<string>();
      values.add(identifier.value);
      union.set(identifier.type, values);
    }
    for (const [type, values] of [...union.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const max = rules.types.get(type)?.maxPerCustomer ?? null;
      const before = this.byType.get(type)?.size ?? 0;
      // A customer already over a limit (rules tightened later) may keep what it has, not grow.
      if (max !== null && values.size > max && values.size > before) return { type, count: values.size, max };
    }
    return undefined;
  }
}

function byPriority(rules: IdentityRules): (a: ExtractedIdentifier, b: ExtractedIdentifier) => number {
  const priority = (identifier: ExtractedIdentifier): number => rules.types.get(identifier.type)?.priority ?? 0;
  return (a, b) => priority(b) - priority(a) || a.type.localeCompare(b.type) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

function refusedFromExtraction(rejected: readonly RejectedIdentifier[]): RefusedLink[] {
  return rejected.map((item) => ({ identifier: { type: item.type, source: item.source }, reason: item.reason }));
}

/**
 * Decides what an event means for the identity graph, from its identifiers and the customers
 * that already hold any of them. Identifiers are considered from the highest priority down; each
 * one joins the event's person (and, for a unique type, pulls in the customers holding it) only
 * if no per-customer limit would be exceeded. So a userId outranks a shared device's anonymousId:
 * a second person logging in on a family computer gets their own customer and the device link is
 * refused, rather than two people being merged.
 */
export function decideResolution(
  extraction: Extraction,
  knownCustomers: readonly KnownCustomer[],
  rules: IdentityRules,
): ResolutionDecision {
  const refused = refusedFromExtraction(extraction.rejected);
  const base = { rulesVersion: rules.version };
  if (extraction.identifiers.length === 0) {
    return { ...base, kind: 'unresolvable', refused, reason: 'no usable identifier in the event' };
  }

  const owners = new Map<string, KnownCustomer[]>();
  for (const customer of [...knownCustomers].sort(compareCustomers)) {
    for (const identifier of customer.identifiers) {
      const key = identifierKey(identifier);
      const list = owners.get(key) ?? [];
      if (!list.some((known) => known.customerId === customer.customerId)) list.push(customer);
      owners.set(key, list);
    }
  }

  const group: KnownCustomer[] = [];
  const links: MergeLink[] = [];
  const held = new IdentifierSet();
  const accepted: ExtractedIdentifier[] = [];

  for (const identifier of [...extraction.identifiers].sort(byPriority(rules))) {
    const rule: CompiledIdentifierType | undefined = rules.types.get(identifier.type);
    const holders = rule?.unique === true ? (owners.get(identifierKey(identifier)) ?? []) : [];
    const newHolders = holders.filter((holder) => !group.some((member) => member.customerId === holder.customerId));
    if (newHolders.length === 0) {
      const exceeded = held.has(identifier) ? undefined : held.firstExceeded([identifier], rules);
      if (exceeded !== undefined) {
        refused.push({
          identifier: { type: identifier.type, value: identifier.value },
          ...(group[0] !== undefined ? { customerId: group[0].customerId } : {}),
          reason: `limit exceeded: one customer may hold at most ${exceeded.max} ${exceeded.type}`,
        });
        continue;
      }
      held.add(identifier);
      accepted.push(identifier);
      continue;
    }
    let joinedAny = holders.length > newHolders.length;
    for (const holder of newHolders) {
      const exceeded = held.firstExceeded([...holder.identifiers, identifier], rules);
      if (exceeded !== undefined) {
        refused.push({
          identifier: { type: identifier.type, value: identifier.value },
          customerId: holder.customerId,
          reason: `conflict: linking ${describe(identifier)} to customer ${holder.customerId} would give one customer ${exceeded.count} ${exceeded.type} (max ${exceeded.max})`,
        });
        continue;
      }
      group.push(holder);
      links.push({ customerId: holder.customerId, via: { type: identifier.type, value: identifier.value } });
      for (const owned of holder.identifiers) held.add(owned);
      joinedAny = true;
    }
    if (joinedAny) {
      held.add(identifier);
      accepted.push(identifier);
    }
  }

  const heldBefore = new IdentifierSet(group.flatMap((customer) => customer.identifiers));
  const newIdentifiers = accepted.filter((identifier) => !heldBefore.has(identifier)).map(({ type, value }) => ({ type, value }));

  if (group.length === 0) {
    if (accepted.length === 0) {
      return { ...base, kind: 'unresolvable', refused, reason: 'every identifier in the event was refused' };
    }
    return {
      ...base,
      kind: 'new-customer',
      identifiers: newIdentifiers,
      refused,
      reason: `new customer: no customer holds a unique identifier of the event (${accepted.map(describe).join(', ')})`,
    };
  }

  const ordered = [...group].sort(compareCustomers);
  const survivor = ordered[0];
  if (survivor === undefined) throw new Error('unreachable: group is not empty');
  if (ordered.length === 1) {
    const via = links.map((link) => link.via);
    return {
      ...base,
      kind: 'attach',
      customerId: survivor.customerId,
      newIdentifiers,
      via,
      refused,
      reason: `attach to ${survivor.customerId}: it holds ${via.map(describe).join(', ')}`,
    };
  }
  const mergedIds = ordered.slice(1).map((customer) => customer.customerId);
  return {
    ...base,
    kind: 'merge',
    survivorId: survivor.customerId,
    mergedIds,
    links,
    newIdentifiers,
    refused,
    reason:
      `merge ${mergedIds.join(', ')} into ${survivor.customerId} (oldest, created ${survivor.createdAt}): ` +
      links.map((link) => `${link.customerId} holds ${describe(link.via)}`).join('; '),
  };
}
