import { createHash } from 'node:crypto';
import { IdentifierV1, ReceivedEventDataV1 } from '@o2o/contracts';

/** Key of an identifier in the graph: "type:value". */
export function identifierKey(identifier: IdentifierV1): string {
  return `${identifier.type}:${identifier.value}`;
}

/** Deterministic customer id for a customer first seen through `identifier`: redeliveries and
 * concurrent instances that create the same customer create the same id. */
export function customerIdFor(identifier: IdentifierV1): string {
  return `cus_${createHash('sha256').update(identifierKey(identifier)).digest('hex').slice(0, 24)}`;
}

/** Identifiers an event carries, normalised, highest priority first. */
export function identifiersOf(event: ReceivedEventDataV1): IdentifierV1[] {
  const found: IdentifierV1[] = [];
  const add = (type: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const normalised = String(value).trim();
    if (normalised) found.push({ type, value: type === 'email' ? normalised.toLowerCase() : normalised });
  };
  add('userId', event.userId);
  const traits = { ...(objectAt(event.context, 'traits') ?? {}), ...(event.traits ?? {}) };
  add('email', traits['email']);
  add('anonymousId', event.anonymousId);
  if (event.eventType === 'alias') add('userId', event.previousId);
  const unique = new Map(found.map((i) => [identifierKey(i), i]));
  return [...unique.values()];
}

function objectAt(value: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const inner = value?.[key];
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

export interface KnownCustomer {
  id: string;
  createdAt: Date;
}

/** The survivor of a merge: the oldest customer, ties broken by id, so every instance agrees. */
export function chooseSurvivor(customers: KnownCustomer[]): KnownCustomer {
  const sorted = [...customers].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const first = sorted[0];
  if (!first) throw new Error('chooseSurvivor needs at least one customer');
  return first;
}
