import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { topics } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher } from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';
import { pseudonym } from '../../domain/pseudonym';
import { PRIVACY_SETTINGS, PrivacySettings } from '../../privacy.tokens';
import { CustomerLookup } from '../customer-lookup.port';
import { PrivacyRequestRecord, PrivacyRequests } from '../ports/privacy-records.port';

export class UnknownCustomerError extends Error {
  constructor(readonly identifierType: string) {
    super(`no customer has this ${identifierType} identifier`);
    this.name = 'UnknownCustomerError';
  }
}

export type ExportCollection =
  | { kind: 'ready'; document: ExportDocument }
  | { kind: 'pending'; waitingFor: string[] }
  /** Already served (its parts are gone). */
  | { kind: 'gone' }
  | { kind: 'unknown' };

export interface ExportDocument {
  requestId: string;
  customerId: string;
  generatedAt: string;
  /** Each service's data, by service name. */
  services: Record<string, unknown>;
  /** Services that did not answer in time (the document is then incomplete). */
  missing: string[];
}

const SOURCE = '/services/identity-resolution';

/**
 * Access and erasure: resolves any identifier to its customer, records the request, publishes it
 * to every service through privacy.requests.v1 and collects their answers from
 * privacy.responses.v1. Audit records carry a keyed hash of the customer, never the identifier.
 */
@Injectable()
export class RequestPrivacyHandler {
  constructor(
    private readonly lookup: CustomerLookup,
    private readonly repository: PrivacyRequests,
    private readonly publisher: KafkaPublisher,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async requestErasure(type: string, value: string): Promise<{ requestId: string; customerPseudonym: string }> {
    const request = await this.open('erasure', type, value);
    return { requestId: request.requestId, customerPseudonym: request.customerPseudonym };
  }

  /** Publishes an export request and waits for every service's part, up to the configured time. */
  async export(type: string, value: string): Promise<ExportDocument> {
    const { requestId, customerId, customerPseudonym } = await this.open('export', type, value);
    const deadline = Date.now() + this.settings.exportTimeoutMs;
    let request: PrivacyRequestRecord | null = await this.repository.get(requestId);
    while (request && request.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      request = await this.repository.get(requestId);
    }
    const parts = request?.parts ?? {};
    const missing = this.settings.services.filter((s) => !(s in parts));
    await this.repository.dropParts(requestId);
    await this.repository.record({
      requestId,
      kind: 'export',
      action: missing.length === 0 ? 'served' : 'timed-out',
      customerPseudonym,
      identifierType: type,
    });
    return { requestId, customerId, generatedAt: new Date().toISOString(), services: parts, missing };
  }

  /** Starts an export without waiting: its document is collected with collectExport. */
  async startExport(type: string, value: string): Promise<{ requestId: string }> {
    const { requestId } = await this.open('export', type, value);
    return { requestId };
  }

  /**
   * An export started with startExport: pending until every service answered (or the export
   * timeout passed since the request, then served incomplete); served once, its parts dropped
   * as it is served, so asking again finds it gone.
   */
  async collectExport(requestId: string): Promise<ExportCollection> {
    const request = await this.repository.get(requestId);
    if (!request || request.kind !== 'export') return { kind: 'unknown' };
    if (request.partsClosedAt !== undefined) return { kind: 'gone' };
    const expired = Date.now() >= request.requestedAt.getTime() + this.settings.exportTimeoutMs;
    const waitingFor = request.expectedServices.filter((s) => !(s in (request.acknowledgements ?? {})));
    if (request.status !== 'completed' && !expired) return { kind: 'pending', waitingFor };
    const parts = request.parts ?? {};
    const customerId = request.customerId ?? '';
    if (!(await this.repository.dropParts(requestId))) return { kind: 'gone' };
    const missing = this.settings.services.filter((s) => !(s in parts));
    await this.repository.record({
      requestId,
      kind: 'export',
      action: missing.length === 0 ? 'served' : 'timed-out',
      customerPseudonym: request.customerPseudonym,
      identifierType: '(by request id)',
    });
    return { kind: 'ready', document: { requestId, customerId, generatedAt: new Date().toISOString(), services: parts, missing } };
  }

  async status(requestId: string): Promise<PrivacyRequestRecord | null> {
    return this.repository.get(requestId);
  }

  private async open(kind: 'erasure' | 'export', type: string, value: string) {
    const customer = await this.lookup.find(type, value);
    if (!customer) throw new UnknownCustomerError(type);
    const requestId = randomUUID();
    const customerPseudonym = pseudonym(this.settings.pseudonymKey, customer.customerId);
    const requestedAt = new Date();
    const data = { requestId, customerId: customer.customerId, mergedIds: customer.mergedIds, requestedAt: requestedAt.toISOString() };
    const event =
      kind === 'erasure'
        ? createEnvelope({
            type: 'privacy.erasure-requested',
            version: 1,
            id: `erasure:${requestId}`,
            source: SOURCE,
            subject: customer.customerId,
            data,
          })
        : createEnvelope({
            type: 'privacy.export-requested',
            version: 1,
            id: `export:${requestId}`,
            source: SOURCE,
            subject: customer.customerId,
            data,
          });
    // The event is stored with the request (outbox): if the publish below does not happen, the
    // relay (PrivacyOutboxRelay) publishes it.
    await this.repository.create(
      { _id: requestId, kind, customerId: customer.customerId, customerPseudonym, expectedServices: this.settings.services, requestedAt },
      { key: customer.customerId, event },
    );
    await this.repository.record({ requestId, kind, action: 'requested', customerPseudonym, identifierType: type });
    try {
      await this.publisher.publish([{ topic: topics.privacyRequests, events: [{ key: customer.customerId, event }] }]);
      await this.repository.published([requestId]);
    } catch (error) {
      // Recorded is accepted: the relay publishes it once Kafka (or MongoDB) is back.
      this.logger.warn({ err: error, requestId, kind }, 'privacy request recorded but not yet published; the outbox relay will publish it');
    }
    return { requestId, customerId: customer.customerId, customerPseudonym };
  }
}
