import { createHmac, randomBytes } from 'node:crypto';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Connection } from 'mongoose';
import type { Principal } from './principal';
import type { RouteEntry } from './route-inventory';
import { AUDIT_EXEMPT_SCOPES, type Scope } from './scopes';

/**
 * One privileged call: who (the principal), what (method, route, parameters), when, and the
 * result (HTTP status). No request bodies, no query strings: only what identifies the call.
 */
export interface AuditRecordDocument {
  /** `<ISO time>~<random>`: sorts by time, so pages and time ranges are ranges of _id. */
  _id: string;
  at: Date;
  /** The service that answered. */
  service: string;
  principal: { kind: Principal['kind']; subject: string; client: string };
  method: string;
  /** Nest's path pattern, e.g. /v1/customers/:id/split. */
  route: string;
  /**
   * Path parameters. An identifier value (`:value`, an e-mail or phone) is kept only as
   * `hmac:<keyed hash of "type:value">`, like every other privacy record.
   */
  params: Record<string, string>;
  /** The scope the route requires. */
  scope: string;
  status: number;
  /** ok (2xx, 3xx), denied (403: valid credential without the scope), refused (other 4xx), failed (5xx). */
  result: 'ok' | 'denied' | 'refused' | 'failed';
  durationMs: number;
  /** The request id of the service's logs (Fastify's). */
  requestId: string;
}

export interface AuditRecordView extends Omit<AuditRecordDocument, '_id' | 'at'> {
  id: string;
  at: string;
}

/** What a call was, as the onResponse hook sees it. */
export interface AnsweredCall {
  method: string;
  /** The matched route pattern (undefined: no route matched). */
  route: string | undefined;
  params: Record<string, string>;
  principal: Principal | undefined;
  status: number;
  durationMs: number;
  requestId: string;
}

export function resultOf(status: number): AuditRecordDocument['result'] {
  if (status < 400) return 'ok';
  if (status === 403) return 'denied';
  if (status < 500) return 'refused';
  return 'failed';
}

/** Whether calls needing `scope` are privileged (recorded): all but the customer-facing hot paths. */
export function isAudited(scope: Scope): boolean {
  return !(AUDIT_EXEMPT_SCOPES as readonly string[]).includes(scope);
}

function auditId(at: Date): string {
  return `${at.toISOString()}~${randomBytes(6).toString('hex')}`;
}

/**
 * The audit trail of a service, in its own database (`audit_trail`): every call to a route that
 * needs a privileged scope, answered or refused with 403, is recorded after its answer. A call
 * without a valid credential (401) has no "who" and is not recorded (a flood of them would fill
 * the trail), nor one refused for the client's rate limit (429); metrics and request logs count them.
 *
 * The record is written after the answer: a call whose record cannot be written (MongoDB away) has
 * still happened, so the failure is logged with the call's request id rather than lost silently.
 */
export class AuditTrail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditTrail');
  private pruning: NodeJS.Timeout | undefined;
  /** `METHOD pattern` -> the scope of each audited route. */
  private readonly audited = new Map<string, Scope>();

  constructor(
    private readonly connection: Connection,
    private readonly service: string,
    private readonly pseudonymKey: string,
    private readonly retentionDays: number,
  ) {}

  /** Prunes expired records once an hour (and at start). */
  onApplicationBootstrap(): void {
    const prune = () => {
      this.prune().catch((error: unknown) =>
        this.logger.warn(`audit trail not pruned: ${error instanceof Error ? error.message : String(error)}`),
      );
    };
    prune();
    this.pruning = setInterval(prune, 3_600_000);
    this.pruning.unref();
  }

  onModuleDestroy(): void {
    if (this.pruning) clearInterval(this.pruning);
  }

  private get records() {
    return this.connection.collection<AuditRecordDocument>('audit_trail');
  }

  /** The routes whose calls are recorded: those needing a scope that is not exempt. */
  watch(routes: readonly RouteEntry[]): void {
    for (const route of routes) {
      if (route.access?.kind === 'scope' && isAudited(route.access.scope))
        this.audited.set(`${route.method} ${route.path}`, route.access.scope);
    }
  }

  /** Routes recorded, as `METHOD pattern`. */
  watched(): string[] {
    return [...this.audited.keys()].sort();
  }

  /** The record of a call to an audited route; undefined for every other call. */
  recordOf(call: AnsweredCall, at = new Date()): AuditRecordDocument | undefined {
    // 429: a client over its limit would otherwise write one record per refused call.
    if (call.route === undefined || call.principal === undefined || call.status === 429) return undefined;
    const scope = this.audited.get(`${call.method} ${call.route}`);
    if (scope === undefined) return undefined;
    return {
      _id: auditId(at),
      at,
      service: this.service,
      principal: { kind: call.principal.kind, subject: call.principal.subject, client: call.principal.client },
      method: call.method,
      route: call.route,
      params: this.safeParams(call.params),
      scope,
      status: call.status,
      result: resultOf(call.status),
      durationMs: Math.round(call.durationMs * 10) / 10,
      requestId: call.requestId,
    };
  }

  /** Records a call if it is privileged. Never throws: a failed write is logged. */
  async record(call: AnsweredCall): Promise<void> {
    const record = this.recordOf(call);
    if (record === undefined) return;
    try {
      await this.records.insertOne(record);
    } catch (error) {
      this.logger.error(
        `audit record not written for ${record.method} ${record.route} (request ${record.requestId}, ${record.principal.kind} ${record.principal.subject}, status ${record.status}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * One page of the trail in time order, from `from` (inclusive) to `to` (exclusive), after the
   * record id `after` (the previous page's `next`).
   */
  async page(query: { from?: Date; to?: Date; after?: string; limit: number }): Promise<{ records: AuditRecordView[]; next?: string }> {
    const range: Record<string, string> = {};
    if (query.from) range['$gte'] = query.from.toISOString();
    if (query.after !== undefined && (range['$gte'] === undefined || query.after >= range['$gte'])) {
      delete range['$gte'];
      range['$gt'] = query.after;
    }
    if (query.to) range['$lt'] = query.to.toISOString();
    const filter = Object.keys(range).length > 0 ? { _id: range } : {};
    const docs = await this.records
      .find(filter)
      .sort({ _id: 1 })
      .limit(query.limit + 1)
      .toArray();
    const more = docs.length > query.limit;
    const records = docs.slice(0, query.limit).map(({ _id, at, ...rest }) => ({ id: _id, at: at.toISOString(), ...rest }));
    const last = records[records.length - 1];
    return { records, ...(more && last ? { next: last.id } : {}) };
  }

  /**
   * Removes records older than the retention; every instance may run it (a range delete on _id).
   * Not a TTL index: FerretDB v1 has none.
   */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000).toISOString();
    const result = await this.records.deleteMany({ _id: { $lt: cutoff } });
    return result.deletedCount;
  }

  private safeParams(params: Record<string, string>): Record<string, string> {
    const safe: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) {
      safe[name] =
        name === 'value'
          ? `hmac:${createHmac('sha256', this.pseudonymKey)
              .update(`${params['type'] ?? ''}:${value}`, 'utf8')
              .digest('hex')}`
          : value;
    }
    return safe;
  }
}
