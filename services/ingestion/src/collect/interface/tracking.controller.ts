import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OwnCredential } from '@o2o/auth';
import { SegmentMessageV1 } from '@o2o/contracts';
import { InjectLogger, Logger } from '@o2o/observability';
import { HttpProblem } from '@o2o/runtime';
import { AcceptEventsHandler, EventStoreUnavailableError, RefusedMessage } from '../application/accept-events/accept-events.handler';
import { AdmissionRejection, AdmissionShape, AdmitEventsHandler, RefusedElement } from '../application/admit-events/admit-events.handler';
import { ValidationIssue } from '../domain/message-validator';
import { SIGNATURE_HEADER } from '../../sources/domain/source-credentials';
import { IngestionMetrics } from '../application/ingestion.metrics';

/** Call types by path: Segment's names, and the one-letter paths analytics.js (analytics-next) posts to. */
const singleTypes: Readonly<Record<string, SegmentMessageV1['type']>> = {
  track: 'track',
  identify: 'identify',
  page: 'page',
  screen: 'screen',
  group: 'group',
  alias: 'alias',
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
};

/** How much of a refused element that was over the size limit is kept on ingest.rejected. */
const OVERSIZED_RAW_KEPT = 4096;

/** What a 200 answer says about the elements of a batch that were refused (Segment's libraries ignore the body). */
interface RejectedElementBody {
  index: number;
  reason: string;
  issues: ValidationIssue[];
}

/**
 * The Segment HTTP Tracking API: same paths (and analytics.js's one-letter ones), Basic auth with
 * the write key as user name or the write key in the body, same limits and the same success
 * answer, so existing libraries can point here unchanged. A batch is accepted element by
 * element: the valid ones are stored, the invalid ones go to ingest.rejected.v1 with their
 * reasons and are named in the answer's `rejected` field; only a body that cannot be read as a
 * batch at all (not JSON, too large, bad credentials) is refused whole.
 */
@Controller('v1')
@OwnCredential('segment-write-key')
export class TrackingController {
  constructor(
    private readonly admit: AdmitEventsHandler,
    private readonly accept: AcceptEventsHandler,
    private readonly metrics: IngestionMetrics,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  // "b" is analytics.js's batch path; "import" is Segment's name for historical batches.
  @Post(['batch', 'b', 'import'])
  @HttpCode(200)
  async batch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle('batch', request, reply, { kind: 'batch' });
  }

  @Post(':type')
  @HttpCode(200)
  async single(@Param('type') path: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const type = Object.hasOwn(singleTypes, path) ? singleTypes[path] : undefined;
    if (!type) {
      await reply.status(404).send(new HttpProblem(404, 'not_found', `unknown endpoint /v1/${path}`).body());
      return;
    }
    await this.handle(type, request, reply, { kind: 'single', type });
  }

  private async handle(endpoint: string, request: FastifyRequest, reply: FastifyReply, shape: AdmissionShape): Promise<void> {
    const end = this.metrics.latency.startTimer({ endpoint });
    const receivedAt = new Date();
    let sourceId = 'unknown';
    try {
      const raw = typeof request.body === 'string' ? request.body : '';
      const signature = request.headers[SIGNATURE_HEADER];
      const admission = await this.admit.admitHttpCall({
        shape,
        body: raw,
        bytes: Buffer.byteLength(raw, 'utf8'),
        writeKey: basicAuthUser(request.headers.authorization),
        signature: Array.isArray(signature) ? signature[0] : signature,
      });
      if (!admission.admitted) {
        sourceId = 'sourceId' in admission.rejection && admission.rejection.sourceId ? admission.rejection.sourceId : sourceId;
        throw rejectionProblem(admission.rejection);
      }
      const { source, messages, refused } = admission;
      sourceId = source.id;
      const requestId = randomUUID();
      const refusedMessages = refused.map((element) => this.refusedMessage(element, request.url, requestId));
      await this.accept.execute({
        source: { id: source.id, channel: source.channel },
        messages,
        receivedAt,
        clientIp: request.ip,
        refused: refusedMessages,
      });
      // Counted once stored on ingest.rejected (a failed write is answered 503 and counted as such).
      for (const r of refusedMessages) this.metrics.rejected.inc({ source: source.id, reason: r.reason });
      if (endpoint !== 'batch' && refused[0]) {
        // A single call is its one message: refused, it is answered as a refusal (and kept on ingest.rejected).
        const problem = invalid(refused[0].issues);
        end({ status: String(problem.getStatus()) });
        await reply.status(problem.getStatus()).send(problem.body());
        return;
      }
      end({ status: '200' });
      if (refused.length === 0) {
        await reply.status(200).send({ success: true });
        return;
      }
      const rejected: RejectedElementBody[] = refused.map((element, i) => ({
        index: element.index ?? i,
        reason: refusedMessages[i]?.reason ?? 'invalid_event',
        issues: element.issues,
      }));
      await reply.status(200).send({ success: true, accepted: messages.length, rejected });
    } catch (error) {
      const problem = toProblem(error);
      if (problem.getStatus() >= 500) this.logger.error({ err: error, endpoint, source: sourceId }, 'ingestion request failed');
      this.metrics.rejected.inc({ source: sourceId, reason: problem.code });
      end({ status: String(problem.getStatus()) });
      await reply.status(problem.getStatus()).headers(problem.headers).send(problem.body());
    }
  }

  private refusedMessage(element: RefusedElement, url: string, requestId: string): RefusedMessage {
    const path = url.split('?')[0] ?? url;
    const item = element.raw;
    let key: string = requestId;
    let raw: string;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      // The write key is a credential: it is not kept on a topic operators read.
      const { writeKey: _writeKey, ...rest } = item as Record<string, unknown>;
      raw = JSON.stringify(rest);
      const id = rest['userId'] ?? rest['anonymousId'];
      if ((typeof id === 'string' && id.trim() !== '') || typeof id === 'number') key = String(id).slice(0, 500);
    } else {
      raw = JSON.stringify(item) ?? String(item);
    }
    // An element over the size limit can never be accepted as it is: its start identifies it, and
    // keeping it whole could make the rejected batch itself too large for Kafka.
    if (raw.length > OVERSIZED_RAW_KEPT && element.issues.some((i) => i.code === 'too_large')) raw = raw.slice(0, OVERSIZED_RAW_KEPT);
    return {
      key,
      reason: element.issues[0]?.code ?? 'invalid_event',
      issues: element.issues,
      raw,
      http: { endpoint: path, requestId, ...(element.index === undefined ? {} : { index: element.index }) },
    };
  }
}

function invalid(issues: ValidationIssue[]): HttpProblem {
  const tooLarge = issues.some((i) => i.code === 'too_large');
  return new HttpProblem(
    tooLarge ? 413 : 400,
    tooLarge ? 'too_large' : 'invalid_event',
    issues.map((i) => `${i.field}: ${i.message}`).join('; '),
    { issues },
  );
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
    return new HttpProblem(503, 'unavailable', 'events could not be stored; retry later (retries are deduplicated by messageId)', {
      headers: { 'Retry-After': '5' },
    });
  }
  return new HttpProblem(500, 'internal_error', 'unexpected error');
}

const challenge = { 'WWW-Authenticate': 'Basic realm="ingestion"' };

/** Admission's refusals in the Tracking API's terms: a status, a code and the field at fault. */
function rejectionProblem(rejection: AdmissionRejection): HttpProblem {
  switch (rejection.kind) {
    case 'too_large':
      return new HttpProblem(413, 'too_large', `request body exceeds ${rejection.limit} bytes`, {
        issues: [{ field: '(body)', code: 'too_large', message: `at most ${rejection.limit} bytes` }],
      });
    case 'invalid_json':
      return rejection.expected === 'json'
        ? new HttpProblem(400, 'invalid_json', 'the body is not valid JSON', {
            issues: [{ field: '(body)', code: 'invalid_type', message: 'not valid JSON' }],
          })
        : new HttpProblem(400, 'invalid_json', 'the body must be a JSON object', {
            issues: [{ field: '(body)', code: 'invalid_type', message: 'expected an object' }],
          });
    case 'credential_missing':
      return new HttpProblem(401, 'unauthorized', 'a write key is required as the Basic auth user name', { headers: challenge });
    case 'credential_unknown':
      return new HttpProblem(401, 'unauthorized', 'unknown or expired write key', { headers: challenge });
    case 'source_disabled':
      return new HttpProblem(403, 'forbidden', `source ${rejection.sourceId} is disabled`);
    case 'signature_invalid':
      return new HttpProblem(
        401,
        'invalid_signature',
        `source ${rejection.sourceId} requires an ${SIGNATURE_HEADER} header: sha256=<hex HMAC-SHA256 of the body>`,
      );
    case 'invalid_batch':
      return invalid(rejection.issues);
    case 'rate_limited':
      return new HttpProblem(
        429,
        'rate_limited',
        `source ${rejection.sourceId} exceeds its rate; retry after ${rejection.retryAfterSeconds} s`,
        {
          headers: { 'Retry-After': String(rejection.retryAfterSeconds) },
        },
      );
  }
}
