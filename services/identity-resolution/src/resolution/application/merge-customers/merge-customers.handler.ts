import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectLogger, Logger } from '@o2o/observability';
import type { IdentityRules, TypedIdentifier } from '../../../matching/domain';
import { UnknownCustomerError } from '../../domain/identity.errors';
import { PlannedMerge, REVIEW_ACCEPTED_RULE } from '../../domain/identity-graph.model';
import { OPERATOR_MERGE_RULE } from './merge-rules';
import { AlreadyOneCustomerError, IdentifierLimitExceededError } from './merge-customers.errors';
import { IdentityEvents } from '../ports/identity-events.port';
import { RulesInForce } from '../ports/rules-in-force.port';
import { MergeableCustomer, MergeGraph } from './merge-customers.ports';

export type MergeCustomersCommand =
  | {
      readonly decidedBy: 'review';
      readonly customerIds: readonly [string, string];
      /** Recorded on the merge, in the history and on customer.merged. */
      readonly reason: string;
      /** The review item's evidence, event and score. */
      readonly evidence: readonly TypedIdentifier[];
      readonly eventId: string;
      readonly score?: number;
    }
  | {
      readonly decidedBy: 'operator';
      readonly customerIds: readonly [string, string];
      readonly reason: string;
    };

export interface MergeCustomersResult {
  /** The customer both ids stand for now (the survivor). */
  readonly customerId: string;
  /** The customer merged into it; absent when the two were already one (a review decided late). */
  readonly mergedId?: string;
}

/** The older customer survives (the same rule as automatic merges); equal times: the smaller id. */
export function survivorFirst(a: MergeableCustomer, b: MergeableCustomer): [MergeableCustomer, MergeableCustomer] {
  const older = a.createdAt < b.createdAt || (a.createdAt.getTime() === b.createdAt.getTime() && a._id < b._id);
  return older ? [a, b] : [b, a];
}

/**
 * The first identifier type of which the two customers together would hold more than the rules
 * allow one customer, when either holds more of it than before (a customer already over a
 * tightened limit keeps what it has, as in resolution).
 */
export function exceededLimit(
  a: readonly TypedIdentifier[],
  b: readonly TypedIdentifier[],
  rules: IdentityRules,
): { type: string; count: number; max: number } | undefined {
  const values = (identifiers: readonly TypedIdentifier[], type: string) => identifiers.filter((i) => i.type === type).map((i) => i.value);
  for (const type of [...new Set([...a, ...b].map((i) => i.type))].sort()) {
    const max = rules.types.get(type)?.maxPerCustomer ?? null;
    const count = new Set([...values(a, type), ...values(b, type)]).size;
    if (max !== null && count > max && count > Math.max(new Set(values(a, type)).size, new Set(values(b, type)).size))
      return { type, count, max };
  }
  return undefined;
}

/**
 * Merge two customers because a person said they are one: a reviewer accepting a review item or
 * an operator by hand. Both ids are followed to the customers they stand for now; the older one
 * survives. The merge is written unannounced (its outbox flag) and recorded in the survivor's
 * history, which forgets an earlier split between the two (a person overrides the split memory);
 * then it is published as any merge is (customer.merged, fresh snapshots, the merged customer's
 * snapshot tombstoned), from this call or, after a crash or while Kafka is away, from the
 * GraphOutboxRelay. A split of the survivor undoes it. A merge that would leave one customer with
 * more identifiers of a type than the rules allow (two userIds) is refused, the operator's and the
 * reviewer's alike (the review item stays pending, for a rejection): every later event of that
 * customer would be refused too, into the dead-letter topic. The pair a review item names was
 * within the limits when it was queued, but either customer may have gained an identifier since.
 *
 * Automatic merges (resolve-events, a training run's re-matching, the id migration) are planned
 * and written in bulk with the rest of their batch and do not come through here.
 */
@Injectable()
export class MergeCustomersHandler {
  constructor(
    private readonly graph: MergeGraph,
    private readonly events: IdentityEvents,
    private readonly rules: RulesInForce,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async execute(command: MergeCustomersCommand, now = new Date()): Promise<MergeCustomersResult> {
    const [firstId, secondId] = command.customerIds;
    const [first, second] = await Promise.all([this.graph.currentCustomer(firstId), this.graph.currentCustomer(secondId)]);
    if (first === undefined) throw new UnknownCustomerError(firstId);
    if (second === undefined) throw new UnknownCustomerError(secondId);
    if (first._id === second._id) {
      if (command.decidedBy === 'operator') throw new AlreadyOneCustomerError(command.customerIds, first._id);
      return { customerId: first._id };
    }
    const [survivor, merged] = survivorFirst(first, second);
    const held = await this.graph.heldIdentifiers([survivor._id, merged._id]);
    const exceeded = exceededLimit(held.get(survivor._id) ?? [], held.get(merged._id) ?? [], this.rules.current());
    if (exceeded !== undefined) throw new IdentifierLimitExceededError(exceeded.type, exceeded.count, exceeded.max);
    const merge: PlannedMerge = {
      survivorId: survivor._id,
      mergedId: merged._id,
      reason: command.reason,
      evidence: command.decidedBy === 'review' ? command.evidence : [],
      link:
        command.decidedBy === 'review'
          ? {
              rule: REVIEW_ACCEPTED_RULE,
              eventId: command.eventId,
              at: now.toISOString(),
              ...(command.score !== undefined ? { score: command.score } : {}),
            }
          : { rule: OPERATOR_MERGE_RULE, eventId: `operator-merge:${randomUUID()}`, at: now.toISOString() },
      members: merged.members ?? [merged._id],
      separatedFrom: (merged.separatedFrom ?? []).filter((id) => id !== survivor._id),
    };
    await this.graph.applyMerges([merge]);
    await this.graph.recordManualMerge(
      survivor._id,
      merged._id,
      command.reason,
      command.decidedBy === 'review' ? 'review-accepted' : 'operator-merged',
    );
    try {
      await this.events.publish({ merges: [merge] });
      await this.graph.markAnnounced([merged._id]);
    } catch (error) {
      this.logger.warn(
        { err: error, survivorId: survivor._id, mergedId: merged._id, decidedBy: command.decidedBy },
        'merge written but not yet published; the outbox relay will publish it',
      );
    }
    return { customerId: survivor._id, mergedId: merged._id };
  }
}
