import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { throwError, type Observable } from 'rxjs';
import type { z } from 'zod';

/** One field at fault: its dotted path (`(body)` for the whole body), what is wrong, and a code where a client branches on it. */
export interface ProblemIssue {
  field: string;
  message: string;
  code?: string;
}

/**
 * The platform's one error body, on every refused HTTP call of every service (documented in each
 * OpenAPI document): `{ success: false, error: { code, message, issues?, ...details } }`. `code`
 * is stable and machine-readable; details a client needs (a survivor id, the candidates of a
 * shared identifier, the scope a route needs) sit beside it in `error`.
 */
export interface ProblemBody {
  success: false;
  error: { code: string; message: string; issues?: ProblemIssue[] } & Record<string, unknown>;
}

export interface ProblemOptions {
  issues?: readonly ProblemIssue[];
  /** More machine-readable facts about the refusal, beside `code` in `error`. */
  details?: Record<string, unknown>;
  /** Response headers (Retry-After...). */
  headers?: Record<string, string>;
}

export function problemBody(code: string, message: string, options: Pick<ProblemOptions, 'issues' | 'details'> = {}): ProblemBody {
  const issues = options.issues ?? [];
  return { success: false, error: { ...options.details, code, message, ...(issues.length > 0 ? { issues: [...issues] } : {}) } };
}

/** A refused HTTP call in the platform's one body; thrown from controllers, hooks and guards alike. */
export class HttpProblem extends HttpException {
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    readonly code: string,
    message: string,
    options: ProblemOptions = {},
  ) {
    super(problemBody(code, message, options), status);
    this.headers = options.headers ?? {};
  }

  /** Fastify reads statusCode from errors raised while it reads a body. */
  get statusCode(): number {
    return this.getStatus();
  }

  body(): ProblemBody {
    return this.getResponse() as ProblemBody;
  }
}

export function problem(status: number, code: string, message: string, issues: readonly ProblemIssue[] = []): HttpProblem {
  return new HttpProblem(status, code, message, { issues });
}

/** 400 `invalid_request` naming every bad field. */
export function invalidRequest(issues: readonly ProblemIssue[]): HttpProblem {
  return problem(400, 'invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

export function notFound(message: string, code = 'not_found'): HttpProblem {
  return problem(404, code, message);
}

/** A zod error as issues: the dotted path of each field (`(body)` for the whole value). */
export function zodIssues(error: z.ZodError): ProblemIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/**
 * Parses a request body (or query) with a zod schema: 400 `invalid_request` naming every bad
 * field. A body left as text (a service that parses bodies itself) is read as JSON first, and is
 * refused as `invalid_json` when it is not.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  let json: unknown = body ?? {};
  if (typeof body === 'string') {
    try {
      json = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw problem(400, 'invalid_json', 'the body is not valid JSON', [{ field: '(body)', message: 'not valid JSON' }]);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidRequest(zodIssues(parsed.error));
  return parsed.data;
}

/** One row of a service's domain-error table: which error class answers which status and code. */
export interface DomainErrorRule {
  error: abstract new (...args: never[]) => Error;
  status: number;
  code: string;
  /** Facts of the error a client needs, beside the code. */
  details?: (error: Error) => Record<string, unknown>;
}

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

function codeOfStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What Nest's own exceptions (a route not found, a bad JSON body) and a stray `new XException({...})` carry, in the one body. */
function fromHttpException(exception: HttpException): HttpProblem {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const inner = isRecord(response) && isRecord(response['error']) ? response['error'] : isRecord(response) ? response : {};
  const { code, message, issues, statusCode: _statusCode, error: _error, success: _success, ...details } = inner;
  const text = typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : exception.message;
  return new HttpProblem(
    status,
    typeof code === 'string' ? code : codeOfStatus(status),
    status >= 500 && typeof code !== 'string' ? 'unexpected error' : text,
    {
      ...(Array.isArray(issues) ? { issues: issues as ProblemIssue[] } : {}),
      details,
    },
  );
}

/**
 * The problem any exception answers: an HttpProblem as it is, a domain error by the service's
 * table, another HTTP exception in the one body, an error Fastify raised while reading a body
 * with the status it carries, and anything else 500 `internal_error` (no internals leak).
 */
export function problemFor(exception: unknown, rules: readonly DomainErrorRule[] = []): HttpProblem {
  if (exception instanceof HttpProblem) return exception;
  for (const rule of rules) {
    if (exception instanceof rule.error)
      return new HttpProblem(rule.status, rule.code, exception.message, rule.details ? { details: rule.details(exception) } : {});
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  const carried = isRecord(exception) && typeof exception['statusCode'] === 'number' ? exception['statusCode'] : 500;
  if (carried >= 400 && carried < 500) {
    const message = exception instanceof Error ? exception.message : String(exception);
    return new HttpProblem(carried, codeOfStatus(carried), message, { issues: [{ field: '(body)', message }] });
  }
  return new HttpProblem(500, 'internal_error', 'unexpected error');
}

export interface ProblemFilterOptions {
  /** The service's domain-error table. */
  rules?: readonly DomainErrorRule[];
  /** Told of every 5xx (the cause stays in the log, never in the answer). */
  onServerError?: (exception: unknown) => void;
  /** The service's own reading of an exception the table does not name (ingestion: errors Fastify raised reading a body); undefined leaves it to problemFor. */
  translate?: (exception: unknown, request: FastifyRequest) => HttpProblem | undefined;
  /** Headers added to an answer (ingestion closes the connection of a refused upload). */
  headers?: (problem: HttpProblem, request: FastifyRequest) => Record<string, string>;
}

/** Answers every refused HTTP call of a service in the one body; Kafka handlers keep their own error path. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly options: ProblemFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const found =
      (exception instanceof HttpProblem ? undefined : this.options.translate?.(exception, request)) ??
      problemFor(exception, this.options.rules);
    if (found.getStatus() >= 500) this.options.onServerError?.(exception);
    void http
      .getResponse<FastifyReply>()
      .status(found.getStatus())
      .headers({ ...found.headers, ...this.options.headers?.(found, request) })
      .send(found.body());
    return undefined;
  }
}
