import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { BrowserContext, chromium, Page } from 'playwright-core';
import {
  CHROMIUM_PATH,
  HEADLESS_CHROMIUM_ARGS,
  authHeader,
  expectEventually,
  logInToConsole,
  repoRoot,
  ServiceProcess,
  startServiceProcess,
  testEnvironment,
  uniqueId,
} from '@o2o/testing';

/**
 * The console in headless Chromium (Debian's package, driven by playwright-core) against the six
 * real services and the test identity provider: people log in through the provider's own login
 * page (authorization code + PKCE, held by the console), and each screen is checked for what its
 * role may see, for axe-core's serious and critical violations, at 1280 and 390 px wide, and
 * photographed (.local-servers/screenshots/console/).
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
const screenshots = join(repoRoot(), '.local-servers', 'screenshots', 'console');
const slow = { timeout: 120_000 };

function installChromium(): void {
  const script = join(__dirname, 'install-chromium.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
}

describe('the console in a real browser (six services, real identity provider)', () => {
  const running = new Map<string, ServiceProcess>();
  let consoleUrl = '';
  let userDataDir = '';
  let browser: BrowserContext;
  const customer = { userId: uniqueId('agent-demo-'), phone: `+4930${String(Date.now()).slice(-7)}`, firstName: 'Greta' };
  const url = (name: string): string => {
    const service = running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.url;
  };
  const management = (name: string): string => {
    const service = running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.managementUrl;
  };

  beforeAll(async () => {
    installChromium();
    for (const name of services)
      running.set(name, await startServiceProcess(name, testEnvironment(run, name, { INGESTION_DEMO_SOURCES: 'true' })));
    running.set(
      'console',
      await startServiceProcess(
        'console',
        testEnvironment(run, 'console', {
          CONSOLE_INGESTION_URL: url('ingestion'),
          CONSOLE_IDENTITY_URL: url('identity-resolution'),
          CONSOLE_VALUE_URL: url('value-scoring'),
          CONSOLE_NEEDS_URL: url('needs-profiling'),
          CONSOLE_CAMPAIGN_URL: url('campaign-customization'),
          CONSOLE_INGESTION_MANAGEMENT_URL: management('ingestion'),
          CONSOLE_IDENTITY_MANAGEMENT_URL: management('identity-resolution'),
          CONSOLE_VALUE_MANAGEMENT_URL: management('value-scoring'),
          CONSOLE_NEEDS_MANAGEMENT_URL: management('needs-profiling'),
          CONSOLE_CAMPAIGN_MANAGEMENT_URL: management('campaign-customization'),
          // Operations samples every few seconds, so the last hour has points within the test.
          CONSOLE_OPS_SAMPLE_SECONDS: '5',
        }),
      ),
    );
    consoleUrl = url('console');
    mkdirSync(screenshots, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), 'o2o-console-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [...HEADLESS_CHROMIUM_ARGS],
    });
  }, 20 * 60_000);

  afterEach(() => {
    // A console that died says why.
    const console = running.get('console');
    if (console && console.exitCode() !== null)
      throw new Error(`the console exited (${console.exitCode()}):\n${console.output().slice(-4000)}`);
  });

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await Promise.all([...running.values()].map((service) => service.stop()));
  });

  /** Through the provider's own login and consent pages, as a person does. */
  async function logIn(page: Page, login: string): Promise<void> {
    // A page a failed test left open would follow the logout to the provider and take over the login.
    for (const open of browser.pages()) if (open !== page) await open.close();
    await browser.clearCookies();
    await logInToConsole(page, consoleUrl, login, 'header.top', slow.timeout);
  }

  /** axe-core in the page: no serious or critical violation. */
  async function expectAccessible(page: Page): Promise<void> {
    // Evaluated through the DevTools protocol: the console's Content-Security-Policy refuses inline scripts.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate<Array<{ id: string; impact: string | null; nodes: number }>>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`,
    );
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  }

  /** At 1280 px and at 390 px (a phone): nothing wider than the screen, and a picture of each. */
  async function photograph(page: Page, name: string): Promise<void> {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(screenshots, `${name}-${width}.png`), fullPage: true });
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      // What sticks out, when something does (the innermost elements past the right edge).
      const wide =
        overflow === 0
          ? []
          : await page.evaluate<string[]>(
              `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && ![...e.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)).slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') + ': ' + (e.textContent ?? '').slice(0, 60))`,
            );
      expect({ name, width, overflow, wide }).toEqual({ name, width, overflow: 0, wide: [] });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('serves a small app: the JavaScript sent is under 300 KB gzipped', async () => {
    const index = await (await fetch(consoleUrl, { headers: { 'accept-encoding': 'gzip' } })).text();
    const scripts = [...index.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    let bytes = 0;
    for (const script of scripts) {
      const response = await fetch(`${consoleUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      // fetch decompresses; the wire size is the gzip of the file, which the console sends as stored.
      bytes += Number(response.headers.get('content-length') ?? Number.NaN);
    }
    expect(bytes).toBeLessThan(300 * 1024);
  });

  it('an agent logs in, looks a customer up by phone, records an answer, sees the profile change live and records an accepted offer', async () => {
    // A customer the call centre knows: identified with a phone and a first name, one order.
    await send('/v1/identify', {
      userId: customer.userId,
      traits: { phone: customer.phone, firstName: customer.firstName, email: `${customer.userId}@demo-mail.net` },
    });
    // Questions are asked, and offers made, only for purposes the customer consented to.
    for (const purpose of ['personalisation', 'marketing'])
      await send('/v1/track', {
        userId: customer.userId,
        event: 'Consent Updated',
        properties: { purpose, granted: true, wordingVersion: 'v3' },
      });
    await send('/v1/track', {
      userId: customer.userId,
      event: 'Order Completed',
      properties: {
        order_id: uniqueId('o-'),
        revenue: 80,
        currency: 'EUR',
        products: [{ product_id: 'p', category: 'books', price: 80, quantity: 1 }],
      },
    });
    await expectEventually(
      async () => {
        const response = await fetch(
          `${url('needs-profiling')}/v1/customers/${await customerIdOf(customer.phone)}/next-question?channel=call-centre`,
          { headers: await authHeader('agent') },
        );
        expect(((await response.json()) as { question: unknown }).question).not.toBeNull();
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    // A campaign for buyers, offered on the call centre, nobody held out.
    const campaign = await fetch(`${url('campaign-customization')}/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader('marketer')) },
      body: JSON.stringify({
        id: 'console-welcome',
        name: 'Welcome offer',
        status: 'active',
        segmentId: 'purchase-stage-or-beyond',
        purpose: 'marketing',
        channels: ['call-centre'],
        goal: { event: 'Offer Accepted' },
        attributionWindowDays: 30,
        startAt: new Date(Date.now() - 3_600_000).toISOString(),
        holdoutShare: 0,
        caps: { campaign: [{ max: 3, windowHours: 24 }] },
        modules: { product: { options: [{ id: 'care-kit', weight: 1, attributes: { sku: 'CARE-1' } }] } },
      }),
    });
    expect(campaign.status).toBe(201);
    await expectEventually(
      async () => {
        const response = await fetch(
          `${url('campaign-customization')}/v1/customers/by/userId/${customer.userId}/next-action?channel=call-centre`,
          { headers: await authHeader('agent') },
        );
        const answer = (await response.json()) as { greetingName?: string; action?: { kind: string } };
        expect({ name: answer.greetingName, action: answer.action }).toEqual({
          name: customer.firstName,
          action: expect.objectContaining({ kind: 'offer' }),
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const page = await browser.newPage();
    await logIn(page, 'agent');
    await expectNav(page, ['Customer']);
    await page.selectOption('select', 'phone');
    await page.fill('input[placeholder]', customer.phone);
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Greet as “Greta”', slow);
    // Every identifier says why it belongs to this customer (identity-resolution's links).
    const identifiers = await page.$$eval('[data-testid="identifiers"] li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(identifiers.length).toBe(3);
    expect(identifiers.every((line) => line.includes(' · '))).toBe(true);
    const wording = await page.textContent('[data-testid="question-wording"]');
    expect(wording).toContain('Ask');
    await expectAccessible(page);
    await photograph(page, 'customer');

    // The first answer button, by keyboard: the answer goes in through ingestion as an event.
    const answerButton = page.locator('[role="group"][aria-label="Answer"] button').first();
    const answer = ((await answerButton.textContent()) ?? '').trim();
    await answerButton.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Answer recorded.', slow);
    // The needs profile changes, needs.profiles.v1 carries it, the console's stream tells the page, the page reloads.
    await page.waitForSelector('.live:has-text("Updated")', slow);
    const shownAs = answer === 'Yes' ? 'true' : answer === 'No' ? 'false' : answer;
    await page.waitForFunction(
      `[...document.querySelectorAll('[data-testid="facts"] td')].some((td) => td.textContent === ${JSON.stringify(shownAs)})`,
      undefined,
      slow,
    );

    // The next best offer, accepted: the outcome goes in as an event and shows on the timeline.
    await page.waitForSelector('text=console-welcome', slow);
    await page.click('button:has-text("Make this offer")');
    await page.click('[role="group"][aria-label="Offer outcome"] button:has-text("Accepted")');
    await page.waitForSelector('text=Recorded: accepted.', slow);
    await page.waitForSelector('.timeline li:has-text("Offer Accepted")', slow);
    // The offer made is one contact: counted for the day on every channel and on the call centre, and one of the campaign's three a day is used.
    const made = await page.$$eval('[data-testid="contacts-made"] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)),
    );
    expect(made[0]).toEqual(['day', '1', '1']);
    expect(await page.textContent('[data-testid="caps-left"]')).toContain('campaign cap 1/3 per day (campaign:console-welcome)');
    // The decision was published: the campaign counts one exposure (the treated group).
    await expectEventually(
      async () => {
        const lift = await fetch(`${url('campaign-customization')}/v1/campaigns/console-welcome/lift`, {
          headers: await authHeader('marketer'),
        });
        expect(JSON.stringify(await lift.json())).toMatch(/"exposed":1/);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await page.close();
  }, 600_000);

  it('a marketer previews a segment as the rule is typed, creates it, and sees its count, members and CSV export', async () => {
    const page = await browser.newPage();
    await logIn(page, 'marketer');
    await expectNav(page, ['Marketing']);
    // Customers are not a marketer's to read: the identity service refuses, and so does the live stream.
    const refused = await page.evaluate<number[]>(
      `Promise.all([fetch('/api/customers/lookup?type=phone&value=${encodeURIComponent(customer.phone)}'), fetch('/api/customers/cus_x/live')]).then((rs) => rs.map((r) => r.status))`,
    );
    expect(refused).toEqual([403, 403]);
    await page.waitForSelector('[data-testid="segments"] tbody tr', slow);
    // The value report (value-scoring): the agent test's customer is scored, so some tier has customers.
    await page.waitForSelector('[data-testid="tiers"] td', slow);
    const tierCounts = await page.$$eval('[data-testid="tiers"] td', (tds) => tds.map((td) => Number(td.textContent)));
    expect(tierCounts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The agent's accepted offer (the test above) is one treated exposure of the campaign.
    // Campaigns with their holdout, caps and offers.
    await page.waitForSelector('[data-testid="campaigns"] tbody tr:has-text("Welcome offer")', slow);
    const welcome = await page.$$eval('[data-testid="campaigns"] tbody tr', (trs) =>
      trs
        .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))
        .find((cells) => (cells[0] ?? '').startsWith('Welcome offer')),
    );
    expect(welcome?.slice(1, 7)).toEqual(['active', 'purchase-stage-or-beyond', 'call-centre', '0 %', '3 per 1 d', 'product: care-kit']);
    // Value by relationship stage (campaign-customization's combined profiles): the agent's scored customer is in a stage.
    await page.waitForSelector('[data-testid="value-by-stage"] tbody tr', slow);
    const stages = await page.$$eval('[data-testid="value-by-stage"] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(stages.some(([stage, , scored]) => stage !== 'unknown' && Number(scored) > 0)).toBe(true);
    await page.click('button[aria-label="Lift of console-welcome"]');
    await page.waitForSelector('[data-testid="lift-console-welcome"]', slow);
    expect(await page.textContent('[data-testid="lift-console-welcome"]')).toMatch(/^Treated \d\/1 /);
    const id = uniqueId('seg-');
    await page.fill('label:has-text("Id") input', id);
    await page.fill('label:has-text("Name") input', 'Console test segment');
    // Validated as it is typed: broken JSON disables saving and says why.
    await page.fill('textarea', '{"path": ');
    expect(await page.isDisabled('button:has-text("Save segment")')).toBe(true);
    expect(((await page.textContent('#rule-problem')) ?? '').length).toBeGreaterThan(0);
    // A rule the service refuses (unknown operator): the preview names the problem.
    await page.fill('textarea', JSON.stringify({ path: 'value.tier', op: 'almost', value: 'A' }));
    await page.waitForSelector('[data-testid="preview"]:has-text("Not valid")', slow);
    // Every scored customer: the agent's test customer at least.
    await page.fill('textarea', JSON.stringify({ path: 'value.tier', op: 'in', value: ['A', 'B', 'C', 'D'] }));
    await page.waitForSelector('[data-testid="preview"]:has-text("Would hold")', slow);
    const preview = (await page.textContent('[data-testid="preview"]')) ?? '';
    expect(Number(/Would hold (\d+) of/.exec(preview)?.[1])).toBeGreaterThan(0);
    await page.click('button:has-text("Save segment")');
    await page.waitForSelector(`text=Saved segment ${id}`, slow);
    // The back-fill puts existing customers in; the count follows.
    await expectEventually(
      async () => {
        await page.click('button:has-text("Refresh")');
        await page.waitForSelector(`[data-testid="count-${id}"]`, slow);
        expect(Number(await page.textContent(`[data-testid="count-${id}"]`))).toBeGreaterThan(0);
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await page.click(`button[aria-label="Members of ${id}"]`);
    await page.waitForSelector('[data-testid="members"] li', slow);
    // Entries over time: the back-fill's entries are counted in the current hour.
    await page.waitForSelector(`[data-testid="flow-${id}"]`, slow);
    expect(await page.textContent(`[data-testid="flow-${id}"]`)).toMatch(/^[1-9]\d* entr(y|ies), 0 exits in the last 24 hours/);
    const csv = await page.evaluate<string>(`fetch('/api/segments/${id}/members.csv').then((r) => r.text())`);
    expect(csv.split('\r\n')[0]).toBe('customerId,segmentVersion');
    expect(csv).toMatch(/\r\ncus_[^,]+,1\r\n/);
    await expectAccessible(page);
    await photograph(page, 'marketing');

    // Editing the segment: a new rule is a new version; its members exit version 1 (and re-enter version 2).
    await page.click(`button[aria-label="Edit ${id}"]`);
    await page.waitForSelector(`h2:has-text("Edit segment ${id}")`, slow);
    expect(await page.getAttribute('label:has-text("Id") input', 'readonly')).not.toBeNull();
    await page.fill('textarea', JSON.stringify({ path: 'value.actualValue', op: 'gte', value: 0 }));
    await page.waitForSelector('[data-testid="preview"]:has-text("members today)")', slow);
    await page.click('button:has-text("Save segment")');
    await page.waitForSelector(`text=Saved segment ${id} (version 2)`, slow);
    await page.waitForSelector(`[data-testid="version-${id}"]:has-text("2")`, slow);
    await expectEventually(
      async () => {
        await page.click(`[data-testid="flow-${id}"] button:has-text("Refresh")`);
        expect(await page.textContent(`[data-testid="flow-${id}"]`)).toMatch(/ entr(y|ies), [1-9]\d* exits?/);
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );

    // Editing a campaign: a 10 % holdout, saved as its next version.
    await page.click('button[aria-label="Edit campaign console-welcome"]');
    const definition = JSON.parse((await page.inputValue('[data-testid="campaign-json"]')) || '{}') as Record<string, unknown>;
    expect(definition).toMatchObject({ name: 'Welcome offer', holdoutShare: 0, caps: { campaign: [{ max: 3, windowHours: 24 }] } });
    await page.fill('[data-testid="campaign-json"]', JSON.stringify({ ...definition, holdoutShare: 0.1 }, null, 2));
    await page.click('button:has-text("Save campaign")');
    await page.waitForSelector('text=Saved campaign console-welcome (version 2)', slow);
    await page.waitForSelector('[data-testid="holdout-console-welcome"]:has-text("10 %")', slow);
    // A holdout the service refuses: its answer names the field.
    await page.fill('[data-testid="campaign-json"]', JSON.stringify({ ...definition, holdoutShare: 0.95 }, null, 2));
    await page.click('button:has-text("Save campaign")');
    await page.waitForSelector('[role="status"]:has-text("holdoutShare")', slow);
    await page.close();
  }, 600_000);

  it('an operator sees every service ready and the consumer lag of each service, and accepts a review', async () => {
    // A pair for review: a device merged into a known user, split by an operator, then the same evidence again.
    const tag = uniqueId('rv-');
    await send('/v1/identify', { anonymousId: `${tag}-device`, traits: { loyaltyCard: `${tag}-card` } });
    await send('/v1/identify', { userId: tag, traits: { email: `${tag}@demo-mail.net` } });
    await expectEventually(
      async () => expect(await ownerOf('loyaltyCard', `${tag}-card`)).not.toBe(await ownerOf('email', `${tag}@demo-mail.net`)),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await send('/v1/identify', { userId: tag, anonymousId: `${tag}-device` });
    const survivor = await expectEventually(
      async () => {
        const owner = await ownerOf('email', `${tag}@demo-mail.net`);
        expect(await ownerOf('loyaltyCard', `${tag}-card`)).toBe(owner);
        return owner;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const split = await fetch(`${url('identity-resolution')}/v1/customers/${survivor}/split`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader('operator')) },
      body: JSON.stringify({ reason: 'two people' }),
    });
    expect(split.status).toBe(200);
    await expectEventually(
      async () => expect(await ownerOf('loyaltyCard', `${tag}-card`)).not.toBe(await ownerOf('email', `${tag}@demo-mail.net`)),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await send('/v1/identify', { userId: tag, anonymousId: `${tag}-device`, traits: { email: `${tag}@demo-mail.net` } });
    const reviewId = await expectEventually(
      async () => {
        const queue = await fetch(`${url('identity-resolution')}/v1/review?customerId=${survivor}`, {
          headers: await authHeader('operator'),
        });
        const item = ((await queue.json()) as { items: Array<{ id: string; kind: string }> }).items.find(
          (i) => i.kind === 'split-separated',
        );
        expect(item).toBeDefined();
        return item?.id ?? '';
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    // A message identity resolution cannot read: dead-lettered on its group's dead-letter topic.
    const producer = new Kafka({ brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: `${run}.ingest.events.v1`, acks: -1, messages: [{ key: `${tag}-poison`, value: '{"not json' }] });
    await producer.disconnect();

    const page = await browser.newPage();
    await logIn(page, 'operator');
    await expectNav(page, ['Operations']);
    await page.waitForSelector('[data-testid="health"] tbody tr', slow);
    // Ready, each answering within the console's 3 s (on a loaded machine a probe can miss once: asked again).
    await expectEventually(
      async () => {
        const rows = await page.$$eval('[data-testid="health"] tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
        );
        expect(rows.map(([service]) => service).sort()).toEqual([
          'campaign-customization',
          'identity-resolution',
          'ingestion',
          'needs-profiling',
          'value-scoring',
        ]);
        if (!rows.every(([, ready]) => ready === 'ready')) await page.click('button:has-text("Refresh")');
        expect(rows.every(([, ready]) => ready === 'ready')).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    await page.waitForSelector('[data-testid="lag"] tbody tr', slow);
    const groups = await page.$$eval('[data-testid="lag"] tbody tr td:first-child', (tds) =>
      [...new Set(tds.map((td) => td.textContent))].sort(),
    );
    expect(groups).toEqual(['campaign-customization', 'console', 'identity-resolution', 'ingestion', 'needs-profiling', 'value-scoring']);
    // Everything sent so far has been consumed: identity resolution's lag on ingest.events drains to 0.
    await expectEventually(
      async () => {
        await page.click('button:has-text("Refresh")');
        const behind = await page.$$eval('[data-testid="lag"] tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
        );
        expect(behind).toContainEqual(['identity-resolution', 'ingest.events.v1', '0']);
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    // The last hour: samples every 5 s, events per second for every stage.
    await expectEventually(
      async () => {
        await page.click('[data-testid="samples"] button');
        expect(Number(/^(\d+) samples/.exec((await page.textContent('[data-testid="samples"]')) ?? '')?.[1])).toBeGreaterThanOrEqual(2);
        const rates = await page.$$eval('[data-testid="rates"] tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
        );
        expect(rates.map(([service]) => service).sort()).toEqual([
          'campaign-customization',
          'identity-resolution',
          'ingestion',
          'needs-profiling',
          'value-scoring',
        ]);
        expect(rates.every(([, perSecond, , behind]) => Number(perSecond) >= 0 && perSecond !== '—' && Number(behind) >= 0)).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    // The dead letter, inspected and discarded with a reason.
    const letter = await expectEventually(
      async () => {
        await page.click('button:has-text("Reload dead letters")');
        const button = page
          .locator('[data-testid="dead-letters"] tr:has-text("invalid-json") button[aria-label*="of identity-resolution"]')
          .first();
        expect(await button.count()).toBe(1);
        return (await button.getAttribute('aria-label')) ?? '';
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    await page.click(`button[aria-label="${letter}"]`);
    await page.waitForSelector('[data-testid="dead-letter"] pre:has-text("not json")', slow);
    expect(await page.isDisabled('[data-testid="dead-letter"] button:has-text("Discard")')).toBe(true);
    await page.fill('[data-testid="dead-letter"] label:has-text("Reason") input', 'console test: not an event');
    await page.click('[data-testid="dead-letter"] button:has-text("Discard")');
    await page.waitForSelector('[role="status"]:has-text("discarded")', slow);
    await page.waitForSelector('[data-testid="dead-letters"] tr:has-text("invalid-json"):has-text("discarded by")', slow);
    // Re-scoring asked for on screen: a background job that finishes.
    await page.click('button:has-text("Re-score customers")');
    await page.waitForSelector('[role="status"]:has-text("Re-scoring started")', slow);
    await page.waitForSelector('[data-testid="model-jobs"] li:first-child:has-text("rescore"):has-text("finished")', slow);

    // The review, accepted on screen: the two are one customer again.
    await page.click(`li:has-text("${reviewId}") button:has-text("Accept")`);
    await page.waitForSelector(`text=Review ${reviewId}: accepted.`, slow);
    await expectEventually(
      async () => expect(await ownerOf('loyaltyCard', `${tag}-card`)).toBe(await ownerOf('email', `${tag}@demo-mail.net`)),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await expectAccessible(page);
    await photograph(page, 'operations');
    await page.close();
  }, 600_000);

  it('a privacy officer exports a customer after confirming, and follows the request to completion', async () => {
    const page = await browser.newPage();
    await logIn(page, 'privacy-officer');
    await expectNav(page, ['Privacy']);
    const email = `${customer.userId}@demo-mail.net`;
    await page.selectOption('label:has-text("Request") select', 'export');
    await page.selectOption('label:has-text("Identifier type") select', 'email');
    await page.fill('label:has-text("Identifier") input', email);
    await page.click('button:has-text("Continue")');
    // Nothing starts until the identifier is typed a second time, in the page and in the console's API.
    await page.fill('label:has-text("Type the identifier again") input', `${email}x`);
    expect(await page.isDisabled('button:has-text("Start export")')).toBe(true);
    const refused = await page.evaluate<number>(
      `fetch('/api/privacy/requests', { method: 'POST', headers: { 'content-type': 'application/json', 'x-o2o-console': '1' }, body: JSON.stringify({ kind: 'erasure', type: 'email', value: ${JSON.stringify(email)}, confirmation: 'no' }) }).then((r) => r.status)`,
    );
    expect(refused).toBe(400);
    await page.fill('label:has-text("Type the identifier again") input', email);
    await page.click('button:has-text("Start export")');
    await page.waitForSelector('[role="status"]:has-text("Export started")', slow);
    const requestId = /request (\S+)\./.exec((await page.textContent('[role="status"]')) ?? '')?.[1] ?? '';
    expect(requestId).not.toBe('');
    // Every service answers; the list follows the request until it completes, then offers the document.
    await page.waitForSelector(`[data-testid="privacy-status-${requestId}"]:has-text("completed")`, { timeout: 240_000 });
    const document = await page.evaluate<{ status: number; customers: unknown }>(
      `fetch('/api/privacy/requests/${requestId}/export').then(async (r) => ({ status: r.status, customers: JSON.stringify(await r.json()).includes(${JSON.stringify(customer.userId)}) }))`,
    );
    expect(document).toEqual({ status: 200, customers: true });
    await expectAccessible(page);
    await photograph(page, 'privacy');
    await page.close();
  }, 420_000);

  it('refuses the API without a session', async () => {
    expect((await fetch(`${consoleUrl}/api/me`)).status).toBe(401);
    expect((await fetch(`${consoleUrl}/api/customers/lookup?type=phone&value=1`)).status).toBe(401);
  });

  /** One Segment call through ingestion, as the call centre's source. */
  async function send(path: string, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${url('ingestion')}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('demo-call-centre-write-key:').toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
    expect({ path, status: response.status, body: response.status === 200 ? '' : await response.text() }).toEqual({
      path,
      status: 200,
      body: '',
    });
  }

  async function ownerOf(type: string, value: string): Promise<string> {
    const response = await fetch(`${url('identity-resolution')}/v1/identities/${type}/${encodeURIComponent(value)}`, {
      headers: await authHeader('agent'),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { customerId: string }).customerId;
  }

  async function customerIdOf(phone: string): Promise<string> {
    return expectEventually(
      async () => {
        const response = await fetch(`${url('identity-resolution')}/v1/identities/phone/${encodeURIComponent(phone)}`, {
          headers: await authHeader('agent'),
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { customerId: string }).customerId;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  }

  async function expectNav(page: Page, tabs: string[]): Promise<void> {
    const shown = await page.$$eval('nav[aria-label="Screens"] button', (buttons) => buttons.map((b) => b.textContent));
    expect(shown).toEqual(tabs);
  }
});
