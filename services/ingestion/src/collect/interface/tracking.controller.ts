import { Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SegmentMessageV1, segmentBatchV1 } from '@o2o/contracts';
import { AcceptEventsHandler, EventStoreUnavailableError } from '../application/accept-events/accept-events.handler';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES, ValidationIssue, validateMessage } from '../domain/message-validator';
import { checkPurpose, PurposePolicy } from '../domain/purpose-policy';
import type { IngestionConfig } from '../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../ingestion.tokens';
import { InjectLogger, Logger } from '@o2o/observability';
import { SIGNATURE_HEADER, signatureMatches } from '../../sources/domain/source-credentials';
import { ActiveSource, SourceRepository } from '../../sources/infrastructure/source.repository';
import { IngestionMetrics } from '../infrastructure/ingestion.metrics';
import { SourceRateLimiter } from '../infrastructure/source-rate-limiter';

const singleTypes = new Set(['track', 'identify', 'page', 'screen', 'group', 'alias']);

interface ErrorBody {
  success: false;
  error: { code: string; message: string; issues?: ValidationIssue[] };
}

class HttpProblem {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly issues?: ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {}

  body(): ErrorBody {
    return { success: false, error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/**
 * The Segment HTTP Tracking API: same paths, Basic auth with the write key as user name, same
 * limits and the same success answer, so existing SDKs can point here unchanged.
 */
@Controller('v1')
export class TrackingController {
  constructor(
    private readonly accept: AcceptEventsHandler,
    private readonly sources: SourceRepository,
    private readonly metrics: IngestionMetrics,
    private readonly rateLimiter: SourceRateLimiter,
    @InjectLogger() private readonly logger: Logger,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
  ) {
    this.purposes = { requiredFor: config.PURPOSE_REQUIRED_FOR, purposes: config.PURPOSES };
  }

  private readonly purposes: PurposePolicy;

  @Post('batch')
  @HttpCode(200)
  async batch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle('batch', request, reply, (body) => this.parseBatch(body));
  }

  @Post(':type')
  @HttpCode(200)
  async single(@Param('type') type: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!singleTypes.has(type)) {
      await reply.status(404).send(new HttpProblem(404, 'not_found', `unknown endpoint /v1/${type}`).body());
      return;
    }
    await this.handle(type, request, reply, (body) => this.parseSingle(type, body));
  }

  private async handle(
    endpoint: string,
    request: FastifyRequest,
    reply: FastifyReply,
    parse: (body: Record<string, unknown>) => SegmentMessageV1[],
  ): Promise<void> {
    const end = this.metrics.latency.startTimer({ endpoint });
    const receivedAt = new Date();
    let sourceId = 'unknown';
    try {
      const raw = typeof request.body === 'string' ? request.body : '';
      const limit = endpoint === 'batch' ? MAX_BATCH_BYTES : MAX_EVENT_BYTES;
      if (Buffer.byteLength(raw, 'utf8') > limit) {
        throw new HttpProblem(413, 'too_large', `request body exceeds ${limit} bytes`, [{ field: '(body)', code: 'too_large', message: `at most ${limit} bytes` }]);
      }
      const body = parseJson(raw);
      const source = await this.authenticate(request, body);
      sourceId = source.id;
      if (source.requireSignature) {
        const signature = request.headers[SIGNATURE_HEADER];
        if (!signatureMatches(source.signingSecret ?? '', raw, Array.isArray(signature) ? signature[0] : signature)) {
          throw new HttpProblem(401, 'invalid_signature', `source ${source.id} requires an ${SIGNATURE_HEADER} header: sha256=<hex HMAC-SHA256 of the body>`);
        }
      }
      const messages = parse(body);
      const decision = await this.rateLimiter.consume(source.id, messages.length);
      if (!decision.allowed) {
        throw new HttpProblem(429, 'rate_limited', `source ${source.id} exceeds its rate; retry after ${decision.retryAfterSeconds} s`, undefined, {
          'Retry-After': String(decision.retryAfterSeconds),
        });
      }
      await this.accept.execute({ source: { id: source.id, channel: source.channel }, messages, receivedAt });
      end({ status: '200' });
      await reply.status(200).send({ success: true });
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) this.logger.error({ err: error, endpoint, source: sourceId }, 'ingestion request failed');
      this.metrics.rejected.inc({ source: sourceId, reason: problem.code });
      end({ status: String(problem.status) });
      await reply.status(problem.status).headers(problem.headers).send(problem.body());
    }
  }

  private async authenticate(request: FastifyRequest, body: Record<string, unknown>): Promise<ActiveSource> {
    const writeKey = basicAuthUser(request.headers.authorization) ?? (typeof body['writeKey'] === 'string' ? body['writeKey'] : undefined);
    if (!writeKey) {
      throw new HttpProblem(401, 'unauthorized', 'a write key is required as the Basic auth user name', [], { 'WWW-Authenticate': 'Basic realm="ingestion"' });
    }
    const source = await this.sources.findByWriteKey(writeKey);
    if (!source) throw new HttpProblem(401, 'unauthorized', 'unknown or expired write key', [], { 'WWW-Authenticate': 'Basic realm="ingestion"' });
    if (!source.enabled) throw new HttpProblem(403, 'forbidden', `source ${source.id} is disabled`);
    return source;
  }

  private parseSingle(type: string, body: Record<string, unknown>): SegmentMessageV1[] {
    const { writeKey: _writeKey, ...message } = body;
    const result = validateMessage({ ...message, type });
    if (!result.ok) throw invalid(result.issues);
    const purposeIssue = checkPurpose(result.message, this.purposes);
    if (purposeIssue) throw invalid([purposeIssue]);
    return [result.message];
  }

  private parseBatch(body: Record<string, unknown>): SegmentMessageV1[] {
    const envelope = segmentBatchV1.safeParse(body);
    if (!envelope.success) {
      throw invalid(envelope.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'batch', code: 'invalid_value' as const, message: i.message })));
    }
    const issues: ValidationIssue[] = [];
    const messages: SegmentMessageV1[] = [];
    envelope.data.batch.forEach((item, index) => {
      const merged =
        typeof item === 'object' && item !== null && !Array.isArray(item)
          ? {
              ...item,
              context: { ...(envelope.data.context ?? {}), ...((item as { context?: object }).context ?? {}) },
              ...(envelope.data.sentAt && !(item as { sentAt?: unknown }).sentAt ? { sentAt: envelope.data.sentAt } : {}),
            }
          : item;
      if (typeof item === 'object' && item !== null && Buffer.byteLength(JSON.stringify(item), 'utf8') > MAX_EVENT_BYTES) {
        issues.push({ field: `batch.${index}`, code: 'too_large', message: `each message at most ${MAX_EVENT_BYTES} bytes` });
        return;
      }
      const result = validateMessage(merged, `batch.${index}`);
      if (!result.ok) {
        issues.push(...result.issues);
        return;
      }
      const purposeIssue = checkPurpose(result.message, this.purposes, `batch.${index}`);
      if (purposeIssue) issues.push(purposeIssue);
      else messages.push(result.message);
    });
    if (issues.length > 0) throw invalid(issues);
    return messages;
  }
}

function invalid(issues: ValidationIssue[]): HttpProblem {
  const tooLarge = issues.some((i) => i.code === 'too_large');
  return new HttpProblem(tooLarge ? 413 : 400, tooLarge ? 'too_large' : 'invalid_event', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

function parseJson(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'invalid_json', 'the body is not valid JSON', [{ field: '(body)', code: 'invalid_type', message: 'not valid JSON' }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpProblem(400, 'invalid_json', 'the body must be a JSON object', [{ field: '(body)', code: 'invalid_type', message: 'expected an object' }]);
  }
  return value as Record<string, unknown>;
}

function basicAuthUser(header: string | undefined): string | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user ? user : undefined;
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof EventStoreUnavailableError) {
    return new HttpProblem(503, 'unavailable', 'events could not be stored; retry later (retries are deduplicated by messageId)', undefined, { 'Retry-After': '5' });
  }
  return new HttpProblem(500, 'internal_error', 'unexpected error');
}
