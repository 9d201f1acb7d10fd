import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectLogger, Logger } from '@o2o/observability';
import { CustomerMergedError, NothingToSplitError, UnknownCustomerError } from '../../domain/identity.errors';
import { KEYED_ID_MIGRATION_RULE } from '../migrate-customer-ids/migrate-customer-ids.handler';
import { IdentityEvents } from '../ports/identity-events.port';
import { CustomerDocument, SplitOutboxEntry } from '../ports/identity-graph.records';
import { SplitGraph } from './split-customer.ports';

export interface SplitCustomerCommand {
  readonly customerId: string;
  /** Customers merged into it to split off; all of them when absent. */
  readonly partIds?: readonly string[];
  readonly reason: string;
}

export interface SplitResult {
  readonly customerId: string;
  readonly parts: Array<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>;
}

/**
 * Splits a wrongly merged customer back into the customers it was made of, using the stored
 * evidence: each identifier remembers the customer it first belonged to. Each split-off part
 * keeps whatever was merged into it before, so undoing one merge undoes exactly that merge.
 */
@Injectable()
export class SplitCustomerHandler {
  constructor(
    private readonly graph: SplitGraph,
    private readonly publisher: IdentityEvents,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async execute(command: SplitCustomerCommand): Promise<SplitResult> {
    const customer = await this.graph.currentCustomer(command.customerId);
    if (customer === undefined) throw new UnknownCustomerError(command.customerId);
    if (customer._id !== command.customerId) throw new CustomerMergedError(command.customerId, customer._id);
    // A renamed id (the id migration) is the customer itself under its old name, never a part.
    const direct = (await this.graph.customersMergedInto(customer._id)).filter((c) => c.merge?.link.rule !== KEYED_ID_MIGRATION_RULE);
    if (direct.length === 0) throw new NothingToSplitError(customer._id, 'no customer was merged into it');
    const unknown = (command.partIds ?? []).filter((id) => !direct.some((d) => d._id === id));
    if (unknown.length > 0)
      throw new NothingToSplitError(customer._id, `${unknown.join(', ')} ${unknown.length === 1 ? 'was' : 'were'} not merged into it`);
    const detached = command.partIds !== undefined ? direct.filter((d) => command.partIds?.includes(d._id)) : direct;
    if (detached.length === 0) throw new NothingToSplitError(customer._id, 'no part named');

    const parts = await Promise.all(
      detached.map(async (part) => ({ id: part._id, subtree: await this.subtree(part), members: part.members ?? [part._id] })),
    );
    const ids = [customer._id, ...parts.map((p) => p.id)];
    const at = new Date();
    const split: SplitOutboxEntry = {
      id: `split:${customer._id}:${createHash('sha256')
        .update(`${ids.join(',')}\u0000${at.getTime()}`)
        .digest('hex')
        .slice(0, 16)}`,
      partIds: parts.map((p) => p.id),
      reason: command.reason,
      at: at.toISOString(),
    };
    // The split's event is written with the split (an outbox): from here on it reaches Kafka,
    // from this request or, after a crash or while Kafka is away, from the GraphOutboxRelay.
    await this.graph.detach(customer, parts, split);

    const snapshots = await this.graph.snapshotsOf(ids);
    const result: SplitResult = {
      customerId: customer._id,
      parts: ids.map((id) => ({
        customerId: id,
        identifiers: snapshots.get(id)?.identifiers.map(({ type, value }) => ({ type, value })) ?? [],
      })),
    };
    const recorded = [{ customerId: customer._id, split }];
    try {
      await this.publisher.publish({ splits: recorded });
      await this.graph.markSplitsAnnounced(recorded);
    } catch (error) {
      this.logger.warn(
        { err: error, customerId: customer._id, splitId: split.id },
        'split written but not yet published; the outbox relay will publish it',
      );
    }
    return result;
  }

  /** The customer and everything merged into it, transitively. */
  private async subtree(root: CustomerDocument): Promise<string[]> {
    const ids = [root._id];
    let frontier = [root._id];
    for (let depth = 0; depth < 10 && frontier.length > 0; depth += 1) {
      const next: string[] = [];
      for (const id of frontier) for (const child of await this.graph.customersMergedInto(id)) next.push(child._id);
      ids.push(...next);
      frontier = next;
    }
    return ids;
  }
}
