import { startService } from '@o2o/runtime';
import { MongoClient } from 'mongodb';
import { authHeader, describeRouteAccess, expectEventually, testEnvironment, uniqueId } from '@o2o/testing';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

/** Generated from the running service's routes: every route of value-scoring refuses callers without its scope and is in its OpenAPI document. */
const run = uniqueId();
describeRouteAccess(
  'value-scoring',
  {
    config: () => loadValueScoringConfig(testEnvironment(run, 'value-scoring')),
    start: (config) => startService(valueScoringService, config, 0),
    openRoutes: ['GET /openapi.json'],
  },
  (sut) => {
    it('takes scoped API keys that an operator creates, rotates and revokes; stores only their digest', async () => {
      const admin = async (path: string, body: unknown = {}) =>
        fetch(`${sut.service.url}/admin/v1/api-keys${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await authHeader('operator')) },
          body: JSON.stringify(body),
        });
      const call = async (path: string, key: string) =>
        (await fetch(`${sut.service.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).status;
      expect(
        (
          await fetch(`${sut.service.url}/admin/v1/api-keys`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(await authHeader('agent')) },
            body: '{}',
          })
        ).status,
      ).toBe(403);
      expect((await admin('', { owner: 'crm', scopes: ['no:such-scope'] })).status).toBe(400);

      const created = (await (await admin('', { owner: 'crm-sync', scopes: ['profiles:read'] })).json()) as {
        id: string;
        key: string;
        owner: string;
        scopes: string[];
      };
      expect(created).toMatchObject({ owner: 'crm-sync', scopes: ['profiles:read'] });
      expect(created.key).toMatch(/^o2o_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
      expect(await call('/v1/customers/someone/value', created.key)).toBe(404);
      expect(await call('/v1/models', created.key)).toBe(403);
      expect(await call('/v1/customers/someone/value', `${created.key.slice(0, -2)}xx`)).toBe(401);
      const listed = (await (await fetch(`${sut.service.url}/admin/v1/api-keys`, { headers: await authHeader('operator') })).json()) as {
        keys: Array<Record<string, unknown>>;
      };
      expect(listed.keys.find((k) => k['id'] === created.id)).toEqual(expect.objectContaining({ owner: 'crm-sync' }));
      // The secret (after `o2o_<16 hex id>_`) is never shown again.
      const secret = created.key.slice('o2o_'.length + 16 + 1);
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(listed)).not.toContain(secret);

      // Rotation: the new secret works at once, the old one for the grace period only.
      const graceful = (await (await admin(`/${created.id}/rotate`, { graceSeconds: 3600 })).json()) as { key: string };
      expect(await call('/v1/customers/someone/value', graceful.key)).toBe(404);
      expect(await call('/v1/customers/someone/value', created.key)).toBe(404);
      const immediate = (await (await admin(`/${created.id}/rotate`, { graceSeconds: 0 })).json()) as { key: string };
      expect(await call('/v1/customers/someone/value', graceful.key)).toBe(401);
      expect(await call('/v1/customers/someone/value', immediate.key)).toBe(404);

      expect((await admin(`/${created.id}/revoke`)).status).toBe(200);
      expect(await call('/v1/customers/someone/value', immediate.key)).toBe(401);
      expect((await admin('/0000000000000000/revoke')).status).toBe(404);
    }, 60000);

    it('keeps an audit trail of privileged calls (who, what, when, result) in its own database, exported page by page to a privacy officer', async () => {
      const since = new Date().toISOString();
      const get = async (path: string, role: Parameters<typeof authHeader>[0]) =>
        (await fetch(`${sut.service.url}${path}`, { headers: await authHeader(role) })).status;
      expect(await get('/v1/models', 'operator')).toBe(200);
      expect(await get('/v1/models/current', 'marketer')).toBe(403);
      // An agent's customer lookup is customer-facing traffic, not a privileged call.
      expect(await get('/v1/customers/audit-someone/value', 'agent')).toBe(404);
      expect((await fetch(`${sut.service.url}/v1/models`)).status).toBe(401);

      type Page = {
        records: Array<{
          id: string;
          at: string;
          service: string;
          principal: { kind: string; subject: string; client: string };
          method: string;
          route: string;
          status: number;
          result: string;
          scope: string;
        }>;
        next?: string;
      };
      const audit = async (query: string) =>
        (await (
          await fetch(`${sut.service.url}/admin/v1/audit?${query}`, { headers: await authHeader('privacy-officer') })
        ).json()) as Page;
      // Written after the answer: wait until both calls are there.
      let records: Page['records'] = [];
      await expectEventually(async () => {
        records = (await audit(`from=${encodeURIComponent(since)}&limit=1000`)).records.filter((r) => r.route.startsWith('/v1/'));
        expect(records).toHaveLength(2);
      });
      expect(records).toEqual([
        expect.objectContaining({
          service: 'value-scoring',
          principal: { kind: 'token', subject: 'demo-operator', client: 'demo-operator' },
          method: 'GET',
          route: '/v1/models',
          scope: 'models:read',
          status: 200,
          result: 'ok',
        }),
        expect.objectContaining({
          principal: expect.objectContaining({ client: 'demo-marketer' }),
          method: 'GET',
          route: '/v1/models/current',
          status: 403,
          result: 'denied',
        }),
      ]);
      expect(records.every((r) => r.at >= since)).toBe(true);

      // The export walks pages in time order; reading the trail is itself recorded.
      const first = await audit(`from=${encodeURIComponent(since)}&limit=1`);
      expect(first.records).toHaveLength(1);
      expect(first.next).toBe(first.records[0]?.id);
      const second = await audit(`from=${encodeURIComponent(since)}&limit=1&after=${encodeURIComponent(first.next ?? '')}`);
      expect((second.records[0]?.id ?? '') > (first.next ?? '')).toBe(true);
      expect(await get('/admin/v1/audit', 'operator')).toBe(403);
      expect((await fetch(`${sut.service.url}/admin/v1/audit?limit=0`, { headers: await authHeader('privacy-officer') })).status).toBe(400);

      // In the service's own database, nowhere else.
      const mongo = await MongoClient.connect(testEnvironment(run, 'value-scoring')['MONGO_URL'] ?? '');
      try {
        const stored = await mongo.db(`test_${run}_value_scoring`).collection('audit_trail').countDocuments({ route: '/v1/models' });
        expect(stored).toBeGreaterThanOrEqual(1);
      } finally {
        await mongo.close();
      }
    }, 60000);
  },
);
