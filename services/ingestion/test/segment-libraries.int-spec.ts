import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { Analytics } from '@segment/analytics-node';
import { BrowserContext, chromium } from 'playwright-core';
import { topics } from '@o2o/contracts';
import {
  CHROMIUM_PATH,
  HEADLESS_CHROMIUM_ARGS,
  authHeader,
  expectEventually,
  repoRoot,
  ServiceProcess,
  startServiceProcess,
  testEnvironment,
  TopicSpy,
  uniqueId,
} from '@o2o/testing';
import { demoSources } from '../src/demo-sources';

/**
 * Conformance with Segment's own libraries, installed from their registries and used unchanged,
 * pointed at ingestion: @segment/analytics-node (npm), segment-analytics-python (pip, plain and
 * gzip) and analytics.js (@segment/analytics-next) in headless Chromium. Each test follows the
 * events past the 200: the customer, its identifiers, its orders and its stated preferences must
 * arrive in identity-resolution, value-scoring and needs-profiling (four processes, real servers).
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling'] as const;
const writeKey = demoSources[0]?.writeKey ?? '';
const downstreamTimeoutMs = 120000;
const execFileAsync = promisify(execFile);

interface Lookup {
  customerId: string;
  identifiers: Array<{ type: string; value: string }>;
}
interface Value {
  customerId: string;
  purchases: number;
  revenue: number;
}
interface Needs {
  facts: Array<{ key: string; value: unknown }>;
}
interface Received {
  data: { eventType: string; userId?: string; anonymousId?: string };
}
interface Rejected {
  version: number;
  data: { reason: string; raw: string; http?: { endpoint: string; index?: number } };
}

/** Runs the project's installer (idempotent: a no-op once done) and answers the virtual environment's python. */
function installSegmentLibraries(): string {
  const script = join(__dirname, 'conformance', 'install-segment-libraries.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
  const python = result.stdout.trim().split('\n').pop();
  if (!python) throw new Error(`${script} printed no python path`);
  return python;
}

describe('Segment libraries, unchanged, against ingestion (real servers, four services)', () => {
  const running = new Map<string, ServiceProcess>();
  let python = '';
  let spy: TopicSpy;
  const url = (name: (typeof services)[number]) => {
    const service = running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.url;
  };

  beforeAll(async () => {
    python = installSegmentLibraries();
    for (const name of services) {
      running.set(name, await startServiceProcess(name, testEnvironment(run, name, { INGESTION_DEMO_SOURCES: 'true' })));
    }
    spy = await TopicSpy.start((process.env['KAFKA_BROKERS'] ?? '').split(','), [
      `${run}.${topics.ingestEvents.name}`,
      `${run}.${topics.ingestRejected.name}`,
    ]);
  }, 20 * 60_000);

  afterAll(async () => {
    await spy?.stop();
    await Promise.all([...running.values()].map((service) => service.stop()));
  });

  // Read back as an agent would, with a real token from the test identity provider.
  const getJson = async <T>(address: string): Promise<T> => {
    const response = await fetch(address, { headers: await authHeader('agent') });
    if (response.status !== 200) throw new Error(`${address}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  /**
   * The customer of this e-mail is known to identity resolution with the userId (and the
   * anonymousId when given), value scoring counts its orders and revenue, and needs profiling
   * holds the preference its identify call stated.
   */
  async function expectCustomerDownstream(expected: {
    email: string;
    userId: string;
    anonymousId?: string;
    orders: number;
    revenue: number;
    preferredChannel: string;
  }): Promise<void> {
    const lookup = await expectEventually(
      async () => {
        const found = await getJson<Lookup>(`${url('identity-resolution')}/v1/identities/email/${encodeURIComponent(expected.email)}`);
        const values = found.identifiers.map((i) => i.value);
        expect(values).toEqual(expect.arrayContaining([expected.userId, ...(expected.anonymousId ? [expected.anonymousId] : [])]));
        return found;
      },
      { timeoutMs: downstreamTimeoutMs, intervalMs: 500 },
    );
    await expectEventually(
      async () => {
        const value = await getJson<Value>(`${url('value-scoring')}/v1/customers/${lookup.customerId}/value`);
        expect({ purchases: value.purchases, revenue: value.revenue }).toEqual({ purchases: expected.orders, revenue: expected.revenue });
      },
      { timeoutMs: downstreamTimeoutMs, intervalMs: 500 },
    );
    await expectEventually(
      async () => {
        const needs = await getJson<Needs>(`${url('needs-profiling')}/v1/customers/${lookup.customerId}/needs`);
        expect(needs.facts).toEqual(
          expect.arrayContaining([expect.objectContaining({ key: 'contact.preferredChannel', value: expected.preferredChannel })]),
        );
      },
      { timeoutMs: downstreamTimeoutMs, intervalMs: 500 },
    );
  }

  /** Every listed call type of this user (or device) was stored on ingest.events. */
  async function expectCallTypes(ids: string[], types: string[]): Promise<void> {
    await expectEventually(() => {
      const stored = spy
        .on(`${run}.${topics.ingestEvents.name}`)
        .map((m) => (m.value as Received).data)
        .filter((d) => ids.includes(d.userId ?? '') || ids.includes(d.anonymousId ?? ''));
      expect([...new Set(stored.map((d) => d.eventType))].sort()).toEqual([...types].sort());
    });
  }

  it('@segment/analytics-node: identify, track, page, screen, group, alias and a batch of 120', async () => {
    const userId = uniqueId('node-');
    const email = `${userId}@node.example`;
    const analytics = new Analytics({
      writeKey,
      host: url('ingestion'),
      path: '/v1/batch',
      maxEventsInBatch: 50,
      flushInterval: 200,
      maxRetries: 2,
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.identify({ userId, anonymousId: `${userId}-device`, traits: { email, firstName: 'Node', preferredChannel: 'push' } });
    analytics.track({
      userId,
      event: 'Order Completed',
      properties: { order_id: uniqueId('o-'), revenue: 20, products: [{ category: 'garden', price: 20, quantity: 1 }] },
    });
    analytics.track({
      userId,
      event: 'Order Completed',
      properties: { order_id: uniqueId('o-'), revenue: 15.5, products: [{ category: 'books', price: 15.5, quantity: 1 }] },
    });
    analytics.page({ userId, name: 'Home', category: 'Shop', properties: { path: '/' } });
    analytics.screen({ userId, name: 'Basket' });
    analytics.group({ userId, groupId: `${userId}-team`, traits: { name: 'Node Team' } });
    analytics.alias({ userId, previousId: `${userId}-legacy` });
    for (let i = 0; i < 120; i++)
      analytics.track({ userId, event: 'Product Viewed', properties: { product_id: `p-${i}`, category: 'garden' } });
    await analytics.closeAndFlush({ timeout: 60000 });
    expect(errors).toEqual([]);
    await expectCallTypes([userId], ['identify', 'track', 'page', 'screen', 'group', 'alias']);
    await expectCustomerDownstream({ email, userId, anonymousId: `${userId}-device`, orders: 2, revenue: 35.5, preferredChannel: 'push' });
  });

  it.each([
    ['plain', false],
    ['gzip', true],
  ] as const)(
    'segment-analytics-python (%s): every call type, nulls for absent names and categories, one refused event costs nothing else',
    async (_mode, gzip) => {
      const userId = uniqueId(gzip ? 'pygz-' : 'py-');
      const args = [
        join(__dirname, 'conformance', 'segment_python_client.py'),
        '--host',
        url('ingestion'),
        '--write-key',
        writeKey,
        '--user-id',
        userId,
        '--order-id',
        uniqueId('o-'),
      ];
      const { stdout } = await execFileAsync(python, gzip ? [...args, '--gzip'] : args, { timeout: 120000 });
      expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')).toEqual({ errors: [] });
      await expectCallTypes([userId, `${userId}-device`], ['identify', 'track', 'page', 'screen', 'group', 'alias']);
      await expectCustomerDownstream({
        email: `${userId}@python.example`,
        userId,
        anonymousId: `${userId}-device`,
        orders: 1,
        revenue: 42.5,
        preferredChannel: 'email',
      });
      // The script's "Search" event carries an operator key ($where): refused alone, kept with the reason.
      const refused = await expectEventually(() => {
        const found = spy.on(`${run}.${topics.ingestRejected.name}`).find((m) => m.key === userId);
        if (!found) throw new Error('the refused event is not on ingest.rejected yet');
        return found.value as Rejected;
      });
      expect(refused).toMatchObject({ version: 2, data: { reason: 'invalid_key', http: { endpoint: '/v1/batch' } } });
      expect(refused.data.raw).toContain('"Search"');
    },
  );

  describe('analytics.js (@segment/analytics-next) in headless Chromium', () => {
    let site: Server;
    let siteUrl = '';
    let userDataDir = '';
    let browser: BrowserContext;
    const ingestionAnswers: Array<{ path: string; status: number }> = [];

    beforeAll(async () => {
      const bundle = join(repoRoot(), 'node_modules', '@segment', 'analytics-next', 'dist', 'umd');
      // The shop's own site, on another origin than ingestion (so the browser applies CORS).
      site = createServer((request, response) => {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        if (path === '/' || path === '/index.html') {
          response
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<!doctype html><html><head><script src="/analytics/index.js"></script></head><body>shop</body></html>');
          return;
        }
        const file = /^\/analytics\/([\w.-]+\.js)$/.exec(path)?.[1];
        if (!file) {
          response.writeHead(404).end();
          return;
        }
        try {
          response
            .writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream' })
            .end(readFileSync(join(bundle, file)));
        } catch {
          response.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const address = site.address();
      siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      userDataDir = mkdtempSync(join(tmpdir(), 'o2o-chromium-'));
      browser = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...HEADLESS_CHROMIUM_ARGS],
      });
      const ingestionOrigin = url('ingestion');
      browser.on('response', (response) => {
        if (response.url().startsWith(ingestionOrigin) && response.request().method() === 'POST')
          ingestionAnswers.push({ path: new URL(response.url()).pathname, status: response.status() });
      });
    }, 120000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => site?.close(resolve));
      if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    });

    /** Loads analytics.js in the page with its API host pointed at ingestion (settings given inline: no Segment CDN). */
    const loadAnalytics = async (page: import('playwright-core').Page, deliveryStrategy: unknown): Promise<void> => {
      await page.goto(siteUrl);
      const apiHost = `${new URL(url('ingestion')).host}/v1`;
      await page.evaluate(
        async ({ key, host, strategy }) => {
          const global = globalThis as unknown as Record<string, unknown>;
          const next = global['AnalyticsNext'] as {
            AnalyticsBrowser: { load: (settings: unknown, options: unknown) => Promise<unknown[]> };
          };
          const [analytics] = await next.AnalyticsBrowser.load(
            {
              writeKey: key,
              cdnSettings: {
                integrations: {
                  'Segment.io': { apiKey: key, apiHost: host, protocol: 'http', ...(strategy ? { deliveryStrategy: strategy } : {}) },
                },
              },
            },
            {},
          );
          global['shopAnalytics'] = analytics;
        },
        { key: writeKey, host: apiHost, strategy: deliveryStrategy },
      );
    };

    it('page view, track with properties, identify, screen, group and alias; then a batched order sent on page unload (keepalive)', async () => {
      const userId = uniqueId('web-');
      const email = `${userId}@browser.example`;
      const page = await browser.newPage();
      await loadAnalytics(page, undefined);
      const anonymousId = await page.evaluate(
        async ({ user, mail, orderId }) => {
          type Call = (...args: unknown[]) => Promise<unknown>;
          const analytics = (globalThis as unknown as Record<string, Record<string, Call> & { user: () => { anonymousId: () => string } }>)[
            'shopAnalytics'
          ];
          if (!analytics) throw new Error('analytics.js did not load');
          await analytics['page']?.();
          await analytics['track']?.('Order Completed', {
            order_id: orderId,
            revenue: 30,
            currency: 'EUR',
            products: [{ product_id: 'p-1', category: 'garden', price: 30, quantity: 1 }],
          });
          await analytics['identify']?.(user, { email: mail, firstName: 'Web', preferredChannel: 'sms' });
          await analytics['screen']?.('Basket');
          await analytics['group']?.(`${user}-household`, { name: 'Web Household' });
          await analytics['alias']?.(`${user}-crm`);
          return analytics.user().anonymousId();
        },
        { user: userId, mail: email, orderId: uniqueId('o-') },
      );
      await expectCustomerDownstream({ email, userId, anonymousId, orders: 1, revenue: 30, preferredChannel: 'sms' });
      await expectCallTypes([userId, anonymousId, `${userId}-crm`], ['page', 'track', 'identify', 'screen', 'group', 'alias']);
      expect(
        ingestionAnswers.filter((a) => ['/v1/p', '/v1/t', '/v1/i', '/v1/s', '/v1/g', '/v1/a'].includes(a.path)).map((a) => a.status),
      ).toEqual([200, 200, 200, 200, 200, 200]);

      // Batching: nothing leaves until the buffer is full or the page goes away.
      await loadAnalytics(page, { strategy: 'batching', config: { size: 100, timeout: 600000 } });
      await page.evaluate(async (orderId) => {
        const analytics = (globalThis as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[
          'shopAnalytics'
        ];
        await analytics?.['page']?.('Checkout', 'Thanks');
        await analytics?.['track']?.('Order Completed', {
          order_id: orderId,
          revenue: 12.25,
          products: [{ product_id: 'p-2', category: 'books', price: 12.25, quantity: 1 }],
        });
      }, uniqueId('o-'));
      expect(ingestionAnswers.some((a) => a.path === '/v1/b')).toBe(false);
      await page.goto('about:blank');
      await expectCustomerDownstream({ email, userId, anonymousId, orders: 2, revenue: 42.25, preferredChannel: 'sms' });
      await page.close();
      expect(ingestionAnswers.filter((a) => a.status !== 200)).toEqual([]);
    });
  });
});
