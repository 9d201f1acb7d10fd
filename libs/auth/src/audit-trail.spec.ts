import type { Connection } from 'mongoose';
import { AnsweredCall, AuditTrail, isAudited, resultOf } from './audit-trail';
import type { RouteEntry } from './route-inventory';
import { ALL_SCOPES, SCOPES } from './scopes';

const route = (method: string, path: string, access: RouteEntry['access']): RouteEntry => ({ method, path, controller: 'C', access });

describe('audit trail records', () => {
  // recordOf touches no database.
  const trail = new AuditTrail({} as Connection, 'identity-resolution', 'a-test-pseudonym-key-0123', 30);
  trail.watch([
    route('GET', '/v1/identities/:type/:value', { kind: 'scope', scope: SCOPES.profilesRead }),
    route('GET', '/v1/privacy/customers/:type/:value/export', { kind: 'scope', scope: SCOPES.privacyExport }),
    route('POST', '/v1/customers/:id/split', { kind: 'scope', scope: SCOPES.matchingWrite }),
    route('GET', '/openapi.json', { kind: 'open', reason: 'public' }),
  ]);
  const operator = {
    kind: 'token' as const,
    subject: 'demo-operator',
    client: 'demo-operator',
    scopes: new Set<string>([SCOPES.matchingWrite]),
  };
  const call = (overrides: Partial<AnsweredCall>): AnsweredCall => ({
    method: 'POST',
    route: '/v1/customers/:id/split',
    params: { id: 'c-1' },
    principal: operator,
    status: 200,
    durationMs: 3.14159,
    requestId: 'req-1',
    ...overrides,
  });

  it('records privileged routes only: not the customer-facing hot paths, not open routes', () => {
    expect(trail.watched()).toEqual(['GET /v1/privacy/customers/:type/:value/export', 'POST /v1/customers/:id/split']);
    expect(ALL_SCOPES.filter((s) => !isAudited(s))).toEqual([
      SCOPES.eventsWrite,
      SCOPES.profilesRead,
      SCOPES.decisionsWrite,
      SCOPES.dataKeysUse,
    ]);
  });

  it('says who, what, when and the result', () => {
    const at = new Date('2026-12-06T10:00:00.000Z');
    const record = trail.recordOf(call({}), at);
    expect(record).toEqual({
      _id: expect.stringMatching(/^2026-12-06T10:00:00\.000Z~[a-f0-9]{12}$/),
      at,
      service: 'identity-resolution',
      principal: { kind: 'token', subject: 'demo-operator', client: 'demo-operator' },
      method: 'POST',
      route: '/v1/customers/:id/split',
      params: { id: 'c-1' },
      scope: SCOPES.matchingWrite,
      status: 200,
      result: 'ok',
      durationMs: 3.1,
      requestId: 'req-1',
    });
    expect(trail.recordOf(call({ status: 403 }))?.result).toBe('denied');
  });

  it('keeps identifier values only as a keyed hash', () => {
    const record = trail.recordOf(
      call({ method: 'GET', route: '/v1/privacy/customers/:type/:value/export', params: { type: 'email', value: 'anna@example.com' } }),
    );
    expect(record?.params['type']).toBe('email');
    expect(record?.params['value']).toMatch(/^hmac:[a-f0-9]{64}$/);
    expect(JSON.stringify(record)).not.toContain('anna');
    const other = new AuditTrail({} as Connection, 'identity-resolution', 'another-pseudonym-key-0123', 30);
    other.watch([route('GET', '/v1/privacy/customers/:type/:value/export', { kind: 'scope', scope: SCOPES.privacyExport })]);
    const elsewhere = other.recordOf(
      call({ method: 'GET', route: '/v1/privacy/customers/:type/:value/export', params: { type: 'email', value: 'anna@example.com' } }),
    );
    expect(elsewhere?.params['value']).not.toBe(record?.params['value']);
  });

  it('records nothing without a principal (401) or a matched route (404)', () => {
    expect(trail.recordOf(call({ principal: undefined, status: 401 }))).toBeUndefined();
    expect(trail.recordOf(call({ route: undefined, status: 404 }))).toBeUndefined();
    expect(trail.recordOf(call({ method: 'GET', route: '/v1/identities/:type/:value' }))).toBeUndefined();
  });

  it('maps statuses to results', () => {
    expect([200, 201, 302, 400, 401, 403, 404, 409, 500, 503].map(resultOf)).toEqual([
      'ok',
      'ok',
      'ok',
      'refused',
      'refused',
      'denied',
      'refused',
      'refused',
      'failed',
      'failed',
    ]);
  });
});
