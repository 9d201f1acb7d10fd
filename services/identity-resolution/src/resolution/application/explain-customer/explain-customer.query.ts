import { Injectable } from '@nestjs/common';
import { UnknownCustomerError } from '../../domain/identity.errors';
import { LinkEvidence } from '../../domain/identity-graph.model';
import { ReviewQueue } from '../decide-review/review-queue.port';
import { CustomerDocument, HistoryEntry } from '../ports/identity-graph.records';
import { ExplainGraph } from './explain-customer.ports';

export interface CustomerExplanation {
  customerId: string;
  /** Set when the requested id was merged away: the explanation is of its survivor. */
  requestedId?: string;
  createdAt: string;
  identifiers: Array<{ type: string; value: string; originCustomerId: string; firstSeenAt: string; evidence: LinkEvidence }>;
  merges: Array<{
    mergedId: string;
    survivorId: string;
    reason: string;
    evidence: Array<{ type: string; value: string }>;
    link: LinkEvidence;
    at: string;
  }>;
  /** Records linked by probabilistic matching, and original customers, making up this cluster. */
  members: string[];
  separatedFrom: string[];
  history: Array<Omit<HistoryEntry, 'at'> & { at: string }>;
  pendingReviews: Array<{ id: string; kind: string; customerIds: string[]; reason: string; score?: number }>;
  /** Other people this customer shares an identifier with (a family e-mail, a role mailbox), and why they were kept apart. */
  related: Array<{ customerId: string; kind: string; via: string; reason: string; at: string }>;
  /** Identifiers of this customer found shared by people who differ: they link no one on their own. */
  sharedIdentifiers: string[];
}

/** "Why are these one customer?": every identifier with the rule and event that linked it, every merge with its reason. */
@Injectable()
export class ExplainCustomerQuery {
  constructor(
    private readonly graph: ExplainGraph,
    private readonly reviews: ReviewQueue,
  ) {}

  async execute(id: string): Promise<CustomerExplanation> {
    const customer = await this.graph.currentCustomer(id);
    if (customer === undefined) throw new UnknownCustomerError(id);
    const merged: CustomerDocument[] = [];
    let frontier = [customer._id];
    for (let depth = 0; depth < 10 && frontier.length > 0; depth += 1) {
      const next: string[] = [];
      for (const parent of frontier) {
        for (const child of await this.graph.customersMergedInto(parent)) {
          merged.push(child);
          next.push(child._id);
        }
      }
      frontier = next;
    }
    const [identifiers, pending] = await Promise.all([
      this.graph.identifiersWithEvidence(customer._id),
      this.reviews.list('pending', 50, customer._id),
    ]);
    return {
      customerId: customer._id,
      ...(customer._id !== id ? { requestedId: id } : {}),
      createdAt: customer.createdAt.toISOString(),
      identifiers: identifiers.map((i) => ({
        type: i.type,
        value: i.value,
        originCustomerId: i.originCustomerId,
        firstSeenAt: i.firstSeenAt.toISOString(),
        evidence: i.evidence,
      })),
      merges: merged.flatMap((m) =>
        m.merge !== undefined
          ? [
              {
                mergedId: m._id,
                survivorId: m.merge.survivorId,
                reason: m.merge.reason,
                evidence: m.merge.evidence,
                link: m.merge.link,
                at: m.merge.at.toISOString(),
              },
            ]
          : [],
      ),
      members: customer.members ?? [customer._id],
      separatedFrom: customer.separatedFrom ?? [],
      history: (customer.history ?? []).map((h) => ({ ...h, at: h.at.toISOString() })),
      pendingReviews: pending.map((r) => ({
        id: r._id,
        kind: r.kind,
        customerIds: [...r.customerIds],
        reason: r.reason,
        ...(r.score !== undefined ? { score: r.score } : {}),
      })),
      related: [customer, ...merged].flatMap((c) => c.related ?? []).map((r) => ({ ...r, at: r.at.toISOString() })),
      sharedIdentifiers: identifiers.filter((i) => i.shared === true).map((i) => `${i.type}:${i.value}`),
    };
  }
}
