import { Inject, Injectable } from '@nestjs/common';
import { SegmentMessageV1, segmentBatchV1 } from '@o2o/contracts';
import type { IngestionConfig } from '../../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../../ingestion.tokens';
import { signatureMatches } from '../../../sources/domain/source-credentials';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES, ValidationIssue, validateMessage } from '../../domain/message-validator';
import { checkPurpose, PurposePolicy } from '../../domain/purpose-policy';
import type { ActiveSource } from '../../../sources/domain/active-source';
import { SourceDirectory, SourceRate } from '../ports';

/**
 * What an HTTP call is: a batch (`{ batch: [...], context?, sentAt? }`, judged element by element)
 * or a call of one type (`/v1/track`), whose body is the message.
 */
export type AdmissionShape = { kind: 'batch' } | { kind: 'single'; type: SegmentMessageV1['type'] };

/** One message of the Kafka intake topic: its body is the message, with its own type. */
export interface AdmitIntakeMessageCommand {
  /** The message value as text. */
  body: string;
  /** Its size in bytes, as the limits count it. */
  bytes: number;
  /** The write key of the intake's header. */
  writeKey: string | undefined;
}

/** One call of the Segment HTTP API. */
export interface AdmitHttpCallCommand extends AdmitIntakeMessageCommand {
  shape: AdmissionShape;
  /** The Basic auth user name; without one, the body's `writeKey` stands in (analytics.js). */
  writeKey: string | undefined;
  /** The signature header, for sources that require signed bodies. */
  signature: string | undefined;
}

/** Why a whole request (an HTTP call, an intake message) was refused; the caller translates it (HTTP status, dead-letter reason). */
export type AdmissionRejection =
  | { kind: 'too_large'; limit: number; sourceId?: string }
  | { kind: 'invalid_json'; expected: 'json' | 'object'; sourceId?: string }
  | { kind: 'credential_missing' }
  | { kind: 'credential_unknown' }
  | { kind: 'source_disabled'; sourceId: string }
  | { kind: 'signature_invalid'; sourceId: string }
  | { kind: 'invalid_batch'; sourceId: string; issues: ValidationIssue[] }
  | { kind: 'rate_limited'; sourceId: string; retryAfterSeconds: number };

/** Why one message of an admitted request was refused: it is kept on ingest.rejected, the others go on. */
export type ElementRefusalKind = 'too_large' | 'invalid_event' | 'purpose_required' | 'invalid_purpose';

/** A refused message, with its place in the batch (none for a single call or an intake message). */
export interface RefusedElement {
  index?: number;
  kind: ElementRefusalKind;
  issues: ValidationIssue[];
  /** The element as sent (before the batch's context was merged in). */
  raw: unknown;
}

/** What can refuse an intake message whole (it has no signature, no batch envelope and no rate). */
export type IntakeRejection = Extract<
  AdmissionRejection,
  { kind: 'too_large' | 'invalid_json' | 'credential_missing' | 'credential_unknown' | 'source_disabled' }
>;

export type Admission<R extends AdmissionRejection = AdmissionRejection> =
  { admitted: true; source: ActiveSource; messages: SegmentMessageV1[]; refused: RefusedElement[] } | { admitted: false; rejection: R };

/**
 * Ingestion's admission policy, one for both doors (the Segment HTTP API and the Kafka intake):
 * size, JSON, credentials, signature, message validation, purpose and rate, in that order for
 * HTTP. The intake carries its write key in a header, so it authenticates first (a message of an
 * unknown producer is `unauthorized` whatever it holds); an HTTP call may carry its key in the
 * body (analytics.js), so it is read first. The Kafka intake is not rate-limited (its consumer's
 * pace is its limit) nor signed (producers authenticate to Kafka). Returns a typed refusal, never
 * throws one: the controller and the consumer only translate it.
 */
@Injectable()
export class AdmitEventsHandler {
  private readonly purposes: PurposePolicy;

  constructor(
    private readonly sources: SourceDirectory,
    private readonly rate: SourceRate,
    @Inject(INGESTION_CONFIG) config: Pick<IngestionConfig, 'PURPOSE_REQUIRED_FOR' | 'PURPOSES'>,
  ) {
    this.purposes = { requiredFor: config.PURPOSE_REQUIRED_FOR, purposes: config.PURPOSES };
  }

  /** One intake message: credential, size, JSON, then the message's schema and purpose. */
  async admitIntakeMessage(command: AdmitIntakeMessageCommand): Promise<Admission<IntakeRejection>> {
    const source = await this.authenticate(command.writeKey);
    if ('kind' in source) return rejected(source);
    if (command.bytes > MAX_EVENT_BYTES) return rejected({ kind: 'too_large', limit: MAX_EVENT_BYTES, sourceId: source.id });
    const json = readJson(command.body);
    if (!json.ok) return rejected({ kind: 'invalid_json', expected: 'json', sourceId: source.id });
    return { admitted: true, source, ...this.judge(json.value, json.value) };
  }

  /** One HTTP call: size, JSON object, credential, signature, its messages' schema and purpose, rate. */
  async admitHttpCall(command: AdmitHttpCallCommand): Promise<Admission> {
    const shape = command.shape;
    const limit = shape.kind === 'batch' ? MAX_BATCH_BYTES : MAX_EVENT_BYTES;
    if (command.bytes > limit) return rejected({ kind: 'too_large', limit });
    const json = readJson(command.body);
    if (!json.ok) return rejected({ kind: 'invalid_json', expected: 'json' });
    const body = json.value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return rejected({ kind: 'invalid_json', expected: 'object' });
    const fields = body as Record<string, unknown>;
    const source = await this.authenticate(command.writeKey ?? (typeof fields['writeKey'] === 'string' ? fields['writeKey'] : undefined));
    if ('kind' in source) return rejected(source);
    if (source.requireSignature && !signatureMatches(source.signingSecret ?? '', command.body, command.signature)) {
      return rejected({ kind: 'signature_invalid', sourceId: source.id });
    }
    let judged: Pick<Extract<Admission, { admitted: true }>, 'messages' | 'refused'>;
    if (shape.kind === 'batch') {
      const batch = this.judgeBatch(fields);
      if ('issues' in batch) return rejected({ kind: 'invalid_batch', sourceId: source.id, issues: batch.issues });
      judged = batch;
    } else {
      const { writeKey: _writeKey, ...message } = fields;
      judged = this.judge({ ...message, type: shape.type }, body);
    }
    const decision = await this.rate.consume(source.id, judged.messages.length + judged.refused.length);
    if (!decision.allowed) return rejected({ kind: 'rate_limited', sourceId: source.id, retryAfterSeconds: decision.retryAfterSeconds });
    return { admitted: true, source, ...judged };
  }

  private async authenticate(
    writeKey: string | undefined,
  ): Promise<ActiveSource | Extract<AdmissionRejection, { kind: 'credential_missing' | 'credential_unknown' | 'source_disabled' }>> {
    if (!writeKey) return { kind: 'credential_missing' };
    const source = await this.sources.findByWriteKey(writeKey);
    if (!source) return { kind: 'credential_unknown' };
    if (!source.enabled) return { kind: 'source_disabled', sourceId: source.id };
    return source;
  }

  /** One message: its schema, then its purpose. */
  private judge(candidate: unknown, raw: unknown, index?: number): { messages: SegmentMessageV1[]; refused: RefusedElement[] } {
    const prefix = index === undefined ? '' : `batch.${index}`;
    const at = index === undefined ? {} : { index };
    const result = validateMessage(candidate, prefix);
    if (!result.ok) return { messages: [], refused: [{ ...at, kind: 'invalid_event', issues: result.issues, raw }] };
    const purposeIssue = checkPurpose(result.message, this.purposes, prefix);
    if (purposeIssue) {
      return {
        messages: [],
        refused: [{ ...at, kind: purposeIssue.code === 'required' ? 'purpose_required' : 'invalid_purpose', issues: [purposeIssue], raw }],
      };
    }
    return { messages: [result.message], refused: [] };
  }

  /** A batch is refused whole only when it is not a batch; its elements are judged one by one. */
  private judgeBatch(
    body: Record<string, unknown>,
  ): { messages: SegmentMessageV1[]; refused: RefusedElement[] } | { issues: ValidationIssue[] } {
    const envelope = segmentBatchV1.safeParse(body);
    if (!envelope.success) {
      return {
        issues: envelope.error.issues.map((i) => ({
          field: i.path.map(String).join('.') || 'batch',
          code: 'invalid_value' as const,
          message: i.message,
        })),
      };
    }
    const messages: SegmentMessageV1[] = [];
    const refused: RefusedElement[] = [];
    const { context, sentAt } = envelope.data;
    envelope.data.batch.forEach((item, index) => {
      const isObject = typeof item === 'object' && item !== null && !Array.isArray(item);
      if (isObject && Buffer.byteLength(JSON.stringify(item), 'utf8') > MAX_EVENT_BYTES) {
        refused.push({
          index,
          kind: 'too_large',
          raw: item,
          issues: [{ field: `batch.${index}`, code: 'too_large', message: `each message at most ${MAX_EVENT_BYTES} bytes` }],
        });
        return;
      }
      const judged = this.judge(isObject ? withBatchFields(item as Record<string, unknown>, context, sentAt) : item, item, index);
      messages.push(...judged.messages);
      refused.push(...judged.refused);
    });
    return { messages, refused };
  }
}

function rejected<R extends AdmissionRejection>(rejection: R): Admission<R> {
  return { admitted: false, rejection };
}

function readJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A batch element inherits the batch's context (its own keys win) and the batch's sentAt when it has none. */
function withBatchFields(
  item: Record<string, unknown>,
  context: Record<string, unknown> | null | undefined,
  sentAt: string | null | undefined,
): Record<string, unknown> {
  const own = item['context'];
  const merged: Record<string, unknown> = { ...item };
  if (context)
    merged['context'] =
      typeof own === 'object' && own !== null && !Array.isArray(own)
        ? { ...context, ...own }
        : own === undefined || own === null
          ? context
          : own;
  if (sentAt && (item['sentAt'] === undefined || item['sentAt'] === null)) merged['sentAt'] = sentAt;
  return merged;
}
