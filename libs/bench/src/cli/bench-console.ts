import { ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import {
  CHROMIUM_PATH,
  HEADLESS_CHROMIUM_ARGS,
  logInToConsole,
  repoRoot,
  ServiceProcess,
  startIdentityProviderProcess,
  startServiceProcess,
  testEnvironment,
  uniqueId,
} from '@o2o/testing';
import { distribution } from '../analysis/stats';
import { exportTestIssuer, loadConsoleBenchConfig } from '../config/console-bench.config';
import { benchKafka, deleteTopicsWithPrefix } from '../kafka/client-settings';
import { resultsDirectory } from '../pipeline/pipeline-bench';
import { machineInfo } from '../report/machine-info';

/**
 * `npm run bench:console` (issue 17): the console's first load in headless Chromium (Debian's
 * package, driven by playwright-core) on localhost, against the five services, the console and
 * the local OpenID Connect provider, started as the console's browser test starts them, on the
 * running servers (`source .local-servers/env.sh`). Prints figures, asserts nothing:
 *  - a logged-out visitor: the console's shell (navigation start → load event, → first
 *    contentful paint) and the provider's login form rendered (from the console's navigation start,
 *    through /api/me's 401 and the redirects);
 *  - a logged-in agent (logged in once through the provider): a new navigation to the console
 *    until the customer screen's search form is rendered;
 * each with a cold browser cache (a new context, or the cache cleared) and a warm one, and the
 * bytes of HTML, JavaScript and CSS sent (gzipped, from Resource Timing and response headers).
 * Writes bench-results/console-<run>.json.   --runs=5 (cold and warm runs of each case)
 */
const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
const slow = { timeout: 60_000 };
/** The element that makes each page usable: the provider's login form, the customer screen's search. */
const readySelector = '#main [role="search"], input[name="login"]';

interface Entry {
  name: string;
  initiatorType: string;
  transferSize: number;
  encodedBodySize: number;
  decodedBodySize: number;
}

/** What one document measured of itself (times in ms since its navigation start). */
interface DocumentReport {
  id: string;
  origin: string;
  path: string;
  timeOrigin: number;
  fcp?: number;
  load?: number;
  domContentLoaded?: number;
  ready?: number;
  navigation?: Entry;
  resources: Entry[];
}

interface Visit {
  /** The console document's load event, ms from its navigation start. */
  loadMs?: number;
  firstContentfulPaintMs?: number;
  /** Until the login form (logged out) or the customer search (logged in) is rendered, from the console's navigation start. */
  usableMs?: number;
  bytes: Bytes;
}

interface Sizes {
  files: number;
  /** Body as sent (gzipped when the server compresses). */
  encoded: number;
  /** On the wire including headers; 0 when served from the browser cache. */
  transferred: number;
  decoded: number;
}

type Bytes = Record<'html' | 'js' | 'css' | 'api', Sizes>;

/** Runs in every document before its own scripts (through the DevTools protocol: the console's CSP refuses inline scripts). */
const probe = `(() => {
  const id = Math.random().toString(36).slice(2);
  let ready;
  const pick = (e) => ({ name: e.name, initiatorType: e.initiatorType, transferSize: e.transferSize, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize });
  const report = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    try {
      window.__benchReport(JSON.stringify({
        id, origin: location.origin, path: location.pathname, timeOrigin: performance.timeOrigin, ready,
        fcp: fcp ? fcp.startTime : undefined,
        load: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : undefined,
        domContentLoaded: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : undefined,
        navigation: nav ? pick(nav) : undefined,
        resources: performance.getEntriesByType('resource').map(pick),
      }));
    } catch (error) { /* the binding is gone while the page closes */ }
  };
  const observer = new MutationObserver(() => {
    const element = document.querySelector(${JSON.stringify(readySelector)});
    if (ready === undefined && element && element.getClientRects().length > 0) {
      ready = performance.now();
      observer.disconnect();
      report();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  new PerformanceObserver(() => report()).observe({ type: 'paint', buffered: true });
  addEventListener('load', () => setTimeout(report, 0));
  addEventListener('pagehide', report);
})();`;

class MeasuredContext {
  readonly reports = new Map<string, DocumentReport>();
  readonly encodings = new Map<string, string>();

  private constructor(readonly context: BrowserContext) {}

  static async open(browser: Browser): Promise<MeasuredContext> {
    const measured = new MeasuredContext(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    await measured.context.exposeBinding('__benchReport', (_source, json: string) => {
      const report = JSON.parse(json) as DocumentReport;
      measured.reports.set(report.id, { ...measured.reports.get(report.id), ...report });
    });
    await measured.context.addInitScript(probe);
    measured.context.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/assets/'))
        measured.encodings.set(response.url(), response.headers()['content-encoding'] ?? 'identity');
    });
    return measured;
  }

  /** The report of the first document of `origin` at `path` that satisfies `done`, waiting for it. */
  async document(origin: string, done: (report: DocumentReport) => boolean): Promise<DocumentReport> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = [...this.reports.values()].find((r) => r.origin === origin && done(r));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no finished report from ${origin}: ${JSON.stringify([...this.reports.values()].map((r) => ({ origin: r.origin, path: r.path, load: r.load, ready: r.ready })))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function bytesOf(report: DocumentReport): Bytes {
  const empty = (): Sizes => ({ files: 0, encoded: 0, transferred: 0, decoded: 0 });
  const bytes: Bytes = { html: empty(), js: empty(), css: empty(), api: empty() };
  const add = (kind: keyof Bytes, entry: Entry): void => {
    const sizes = bytes[kind];
    sizes.files++;
    sizes.encoded += entry.encodedBodySize;
    sizes.transferred += entry.transferSize;
    sizes.decoded += entry.decodedBodySize;
  };
  if (report.navigation) add('html', report.navigation);
  for (const entry of report.resources) {
    const path = new URL(entry.name).pathname;
    if (!entry.name.startsWith(report.origin)) continue;
    if (path.endsWith('.js')) add('js', entry);
    else if (path.endsWith('.css')) add('css', entry);
    else if (path.startsWith('/api/')) add('api', entry);
  }
  return bytes;
}

/** A logged-out visit: the console's shell, its 401 from /api/me, and the provider's login form. */
async function visitLoggedOut(measured: MeasuredContext, consoleUrl: string): Promise<Visit> {
  measured.reports.clear();
  await measured.context.clearCookies();
  const page = await measured.context.newPage();
  await page.goto(consoleUrl, { waitUntil: 'commit' });
  await page.waitForSelector('input[name="login"]', slow);
  const consoleOrigin = new URL(consoleUrl).origin;
  const shell = await measured.document(consoleOrigin, (r) => r.path === '/' && r.load !== undefined);
  const login = await measured.document(new URL(page.url()).origin, (r) => r.ready !== undefined);
  await page.close();
  return {
    loadMs: shell.load,
    firstContentfulPaintMs: shell.fcp,
    usableMs: login.timeOrigin + (login.ready ?? Number.NaN) - shell.timeOrigin,
    bytes: bytesOf(shell),
  };
}

/** A logged-in agent opens the console: its customer screen, until the search form is rendered. */
async function visitLoggedIn(measured: MeasuredContext, consoleUrl: string, cold: boolean): Promise<Visit> {
  const page = await measured.context.newPage();
  if (cold) {
    const cdp = await measured.context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
  }
  measured.reports.clear();
  await page.goto(consoleUrl, { waitUntil: 'commit' });
  await page.waitForSelector('#main [role="search"]', slow);
  const app = await measured.document(
    new URL(consoleUrl).origin,
    (r) => r.path === '/' && r.ready !== undefined && r.load !== undefined && r.fcp !== undefined,
  );
  await page.close();
  return { loadMs: app.load, firstContentfulPaintMs: app.fcp, usableMs: app.ready, bytes: bytesOf(app) };
}

/** Through the provider's own login and consent pages, as the browser test does. */
async function logIn(page: Page, consoleUrl: string, login: string): Promise<void> {
  await logInToConsole(page, consoleUrl, login, '#main [role="search"]', slow.timeout);
}

function installChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const script = join(repoRoot(), 'services', 'console', 'test', 'install-chromium.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
}

const summarize = (values: Array<number | undefined>): { median: number | undefined; p95: number | undefined; n: number } => {
  const d = distribution(values.filter((v): v is number => v !== undefined && Number.isFinite(v)).map((v) => Math.round(v)));
  return { median: d.p50, p95: d.p95, n: d.count };
};

function table(cases: Record<string, Visit[]>): string {
  const cell = (values: Array<number | undefined>): string => {
    const s = summarize(values);
    return s.n === 0 ? 'n/a' : `${s.median} / ${s.p95}${s.n < values.length ? ` (n=${s.n})` : ''}`;
  };
  const lines = [
    '| visitor, browser cache | runs | load event, ms | first contentful paint, ms | usable, ms |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(cases).map(
      ([name, visits]) =>
        `| ${name} | ${visits.length} | ${cell(visits.map((v) => v.loadMs))} | ${cell(visits.map((v) => v.firstContentfulPaintMs))} | ${cell(visits.map((v) => v.usableMs))} |`,
    ),
  ];
  return lines.join('\n');
}

function bytesTable(cold: Bytes, warm: Bytes | undefined): string {
  const kb = (n: number): string => (n / 1024).toFixed(1);
  const rows: Array<[string, keyof Bytes]> = [
    ['HTML', 'html'],
    ['JavaScript', 'js'],
    ['CSS', 'css'],
    ['API answers', 'api'],
  ];
  return [
    '| sent to a logged-in agent | files | gzipped body, KB | on the wire, KB (cold cache) | on the wire, KB (warm cache) | uncompressed, KB |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      ([label, key]) =>
        `| ${label} | ${cold[key].files} | ${kb(cold[key].encoded)} | ${kb(cold[key].transferred)} | ${warm ? kb(warm[key].transferred) : 'n/a'} | ${kb(cold[key].decoded)} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConsoleBenchConfig();
  if (!existsSync(join(repoRoot(), 'services', 'console', 'dist', 'public', 'index.html')))
    throw new Error('the console app is not built: npm run build:web');
  installChromium();
  const run = uniqueId('bench');
  const startedAt = new Date().toISOString();
  const log = (line: string): void => void process.stdout.write(`bench:console: ${line}\n`);
  const running: ServiceProcess[] = [];
  let provider: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    log(`starting the identity provider, five services and the console (run ${run})`);
    const started = await startIdentityProviderProcess();
    provider = started.child;
    exportTestIssuer(started.issuer);
    const urls: Record<string, ServiceProcess> = {};
    for (const name of services) {
      const service = await startServiceProcess(name, testEnvironment(run, name, { ...config.servers, INGESTION_DEMO_SOURCES: 'true' }));
      running.push(service);
      urls[name] = service;
    }
    const at = (name: (typeof services)[number]): ServiceProcess => {
      const service = urls[name];
      if (!service) throw new Error(`${name} is not running`);
      return service;
    };
    const consoleService = await startServiceProcess(
      'console',
      testEnvironment(run, 'console', {
        ...config.servers,
        CONSOLE_INGESTION_URL: at('ingestion').url,
        CONSOLE_IDENTITY_URL: at('identity-resolution').url,
        CONSOLE_VALUE_URL: at('value-scoring').url,
        CONSOLE_NEEDS_URL: at('needs-profiling').url,
        CONSOLE_CAMPAIGN_URL: at('campaign-customization').url,
        CONSOLE_INGESTION_MANAGEMENT_URL: at('ingestion').managementUrl,
        CONSOLE_IDENTITY_MANAGEMENT_URL: at('identity-resolution').managementUrl,
        CONSOLE_VALUE_MANAGEMENT_URL: at('value-scoring').managementUrl,
        CONSOLE_NEEDS_MANAGEMENT_URL: at('needs-profiling').managementUrl,
        CONSOLE_CAMPAIGN_MANAGEMENT_URL: at('campaign-customization').managementUrl,
      }),
    );
    running.push(consoleService);
    const consoleUrl = consoleService.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...HEADLESS_CHROMIUM_ARGS] });

    // One unmeasured visit, so the first cold run does not also pay for the services' first requests.
    const warmup = await MeasuredContext.open(browser);
    await visitLoggedOut(warmup, consoleUrl);
    await warmup.context.close();

    const cases: Record<string, Visit[]> = {
      'logged out, cold': [],
      'logged out, warm': [],
      'logged-in agent, cold': [],
      'logged-in agent, warm': [],
    };
    log(`logged out: ${config.runs} cold runs (a new browser context each), ${config.runs} warm`);
    for (let i = 0; i < config.runs; i++) {
      const fresh = await MeasuredContext.open(browser);
      cases['logged out, cold']?.push(await visitLoggedOut(fresh, consoleUrl));
      await fresh.context.close();
    }
    const returning = await MeasuredContext.open(browser);
    await visitLoggedOut(returning, consoleUrl);
    for (let i = 0; i < config.runs; i++) cases['logged out, warm']?.push(await visitLoggedOut(returning, consoleUrl));
    await returning.context.close();

    log(`logged-in agent: ${config.runs} cold runs (browser cache cleared, session kept), ${config.runs} warm`);
    const agent = await MeasuredContext.open(browser);
    const loginPage = await agent.context.newPage();
    await logIn(loginPage, consoleUrl, 'agent');
    await loginPage.close();
    for (let i = 0; i < config.runs; i++) cases['logged-in agent, cold']?.push(await visitLoggedIn(agent, consoleUrl, true));
    for (let i = 0; i < config.runs; i++) cases['logged-in agent, warm']?.push(await visitLoggedIn(agent, consoleUrl, false));
    const encodings = Object.fromEntries(agent.encodings);
    await agent.context.close();

    const coldBytes = cases['logged-in agent, cold']?.[0]?.bytes;
    const warmBytes = cases['logged-in agent, warm']?.[0]?.bytes;
    if (!coldBytes) throw new Error('no logged-in visit was measured');
    const summary = {
      run,
      startedAt,
      machine: machineInfo('environment'),
      chromium: browser.version(),
      runs: config.runs,
      note: "times in ms from the console document's navigation start (Navigation Timing, Paint Timing); usable = login form (logged out, via the provider) or customer search form (logged in) rendered; p95 is nearest-rank (with 5 runs, the slowest)",
      cases: Object.fromEntries(
        Object.entries(cases).map(([name, visits]) => [
          name,
          {
            loadMs: summarize(visits.map((v) => v.loadMs)),
            firstContentfulPaintMs: summarize(visits.map((v) => v.firstContentfulPaintMs)),
            usableMs: summarize(visits.map((v) => v.usableMs)),
            visits,
          },
        ]),
      ),
      bytes: { coldCache: coldBytes, warmCache: warmBytes, assetContentEncodings: encodings },
    };
    const file = join(resultsDirectory(), `console-${run}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      [
        '',
        `console first load (Chromium ${summary.chromium}, ${summary.machine.cores} cores, load avg ${summary.machine.loadAverageAtStart}); median / p95 ms from navigation start`,
        '',
        table(cases),
        '',
        bytesTable(coldBytes, warmBytes),
        '',
        `asset encodings: ${[...new Set(Object.values(encodings))].join(', ') || 'none seen'}`,
        `results: ${file}`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(running.map((service) => service.stop().catch(() => null)));
    provider?.kill();
    await deleteTopicsWithPrefix(benchKafka(config.servers.KAFKA_BROKERS.split(','), 'bench-console'), `${run}.`).catch(() => 0);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:console: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
