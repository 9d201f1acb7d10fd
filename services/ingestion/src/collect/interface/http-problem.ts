import { HttpProblem } from '@o2o/runtime';
import type { ValidationIssue } from '../domain/message-validator';

/** A refused body, the issue naming the whole body (Segment's libraries read only the status). */
export function bodyProblem(
  status: number,
  code: string,
  message: string,
  issueCode: ValidationIssue['code'] = 'invalid_value',
): HttpProblem {
  return new HttpProblem(status, code, message, { issues: [{ field: '(body)', code: issueCode, message }] });
}
