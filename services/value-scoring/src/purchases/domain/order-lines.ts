import type { OrderLine } from '../../shared-kernel/domain/purchase-summary';

/** What merges and splits need of an order line: all of it but its channel and categories. */
export type TracedLine = Omit<OrderLine, 'channel' | 'categories'>;

/**
 * The business key of a purchase: its order id within its source. The same order sent twice
 * (a client retry without messageId, a re-import, two events resolved to two customers later
 * merged) is one purchase.
 */
export function orderKey(line: Pick<TracedLine, 'sourceId' | 'orderId' | 'kind'>): string | undefined {
  return line.kind === 'purchase' && line.sourceId !== undefined ? `order:${line.sourceId}:${line.orderId}` : undefined;
}

/** One line's identity: its order (per source), else its event, else its content. */
export function lineKey(line: TracedLine): string {
  return orderKey(line) ?? line.eventId ?? `${line.orderId}:${line.kind}:${line.at.getTime()}:${line.amount}`;
}

/** Union of two customers' lines, each event (and each order of a source) once, in event time: folding twice changes nothing. */
export function unionLines<L extends TracedLine>(...groups: ReadonlyArray<readonly L[]>): L[] {
  const byKey = new Map<string, L>();
  for (const group of groups) for (const line of group) if (!byKey.has(lineKey(line))) byKey.set(lineKey(line), line);
  return [...byKey.values()].sort((p, q) => p.at.getTime() - q.at.getTime() || (lineKey(p) < lineKey(q) ? -1 : 1));
}

export interface SplitPart {
  customerId: string;
  /** "type:value" identifiers the part keeps. */
  identifiers: string[];
}

/**
 * Gives each line back to a part of a split: to the part whose id the line's event was resolved
 * to (its origin, recorded when the line was stored) when that is one of the other parts, i.e. the
 * line came in with a customer later merged away; else to the part holding one of the identifiers
 * the event carried (after a merge, events of either person resolve to the survivor's id, so the
 * origin alone cannot tell them apart); else to the first part, which keeps the split customer's id.
 */
export function assignLinesToParts<L extends TracedLine>(lines: readonly L[], parts: readonly SplitPart[]): Map<string, L[]> {
  const assigned = new Map<string, L[]>(parts.map((p) => [p.customerId, []]));
  const first = parts[0];
  if (!first) return assigned;
  const partIds = new Set(parts.map((p) => p.customerId));
  const owner = new Map<string, string>();
  for (const part of parts) for (const identifier of part.identifiers) if (!owner.has(identifier)) owner.set(identifier, part.customerId);
  for (const line of lines) {
    let target = line.origin !== undefined && partIds.has(line.origin) && line.origin !== first.customerId ? line.origin : undefined;
    if (target === undefined) target = line.identifiers.map((i) => owner.get(i)).find((id): id is string => id !== undefined);
    if (target === undefined) target = first.customerId;
    assigned.get(target)?.push(line);
  }
  return assigned;
}
