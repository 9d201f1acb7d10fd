import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { HttpProblem, parseBody, problemFor, type DomainErrorRule } from './http-problem';

class UnknownThing extends Error {}
class MergedThing extends Error {
  constructor(readonly survivorId: string) {
    super(`merged into ${survivorId}`);
  }
}
const rules: DomainErrorRule[] = [
  { error: UnknownThing, status: 404, code: 'thing_not_found' },
  { error: MergedThing, status: 409, code: 'thing_merged', details: (e) => ({ survivorId: (e as MergedThing).survivorId }) },
];

describe('the one error body', () => {
  it('answers a domain error by the table, with its details beside the code', () => {
    const merged = problemFor(new MergedThing('c1'), rules);
    expect(merged.getStatus()).toBe(409);
    expect(merged.body()).toEqual({ success: false, error: { code: 'thing_merged', message: 'merged into c1', survivorId: 'c1' } });
    expect(problemFor(new UnknownThing('no thing t'), rules).body()).toEqual({
      success: false,
      error: { code: 'thing_not_found', message: 'no thing t' },
    });
  });

  it('folds the older shapes into it: { code, message }, { error: { code, message } } and Nest’s own', () => {
    expect(problemFor(new NotFoundException({ code: 'not_found', message: 'gone' })).body()).toEqual({
      success: false,
      error: { code: 'not_found', message: 'gone' },
    });
    expect(problemFor(new NotFoundException({ error: { code: 'not_found', message: 'none' } })).body()).toEqual({
      success: false,
      error: { code: 'not_found', message: 'none' },
    });
    expect(problemFor(new NotFoundException('Cannot GET /nowhere')).body()).toEqual({
      success: false,
      error: { code: 'not_found', message: 'Cannot GET /nowhere' },
    });
    const auth = problemFor(
      new HttpException({ success: false, error: { code: 'forbidden', message: 'needs x', requiredScope: 'x:read' } }, 403),
    );
    expect(auth.body()).toEqual({ success: false, error: { code: 'forbidden', message: 'needs x', requiredScope: 'x:read' } });
    expect(
      problemFor(new BadRequestException({ code: 'invalid_request', message: 'bad', issues: [{ field: 'a', message: 'required' }] })).body()
        .error.issues,
    ).toEqual([{ field: 'a', message: 'required' }]);
  });

  it('never leaks an unexpected error, and keeps a body-reading error’s status', () => {
    const internal = problemFor(new Error('connection string mongodb://secret'));
    expect(internal.getStatus()).toBe(500);
    expect(JSON.stringify(internal.body())).not.toContain('secret');
    const tooLarge = problemFor(Object.assign(new Error('Request body is too large'), { statusCode: 413 }));
    expect(tooLarge.getStatus()).toBe(413);
    expect(tooLarge.body().error.code).toBe('too_large');
  });

  it('keeps an HttpProblem as it is, headers included', () => {
    const limited = new HttpProblem(429, 'rate_limited', 'slow down', { headers: { 'Retry-After': '5' } });
    expect(problemFor(limited, rules)).toBe(limited);
    expect(limited.headers).toEqual({ 'Retry-After': '5' });
  });

  it('parses bodies with zod, naming every bad field, and reads text bodies as JSON', () => {
    const schema = z.strictObject({ name: z.string(), size: z.number().int().min(1) });
    expect(parseBody(schema, '{"name":"a","size":2}')).toEqual({ name: 'a', size: 2 });
    const refused = (body: unknown) => {
      try {
        parseBody(schema, body);
      } catch (error) {
        return error instanceof HttpProblem ? { status: error.getStatus(), ...error.body().error } : undefined;
      }
      return undefined;
    };
    expect(refused('{not json')).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(refused({ size: 0 })).toMatchObject({
      status: 400,
      code: 'invalid_request',
      issues: [expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'size' })],
    });
  });
});
