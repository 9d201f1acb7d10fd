import type { ValidationIssue } from '../domain/message-validator';

/** Ingestion's one error body, for every refusal of the HTTP API (Segment's libraries read only the status). */
export interface ErrorBody {
  success: false;
  error: { code: string; message: string; issues?: ValidationIssue[] };
}

/** A refusal of the HTTP API: status, machine-readable code, message, the fields at fault. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }

  /** Fastify reads statusCode from errors raised while it reads a body. */
  get statusCode(): number {
    return this.status;
  }

  body(): ErrorBody {
    return { success: false, error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export function bodyProblem(status: number, code: string, message: string, issueCode: ValidationIssue['code'] = 'invalid_value'): HttpProblem {
  return new HttpProblem(status, code, message, [{ field: '(body)', code: issueCode, message }]);
}
