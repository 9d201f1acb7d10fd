import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_SCOPES, ROLES, routeInventory, RouteEntry, Scope } from '@o2o/auth';
import { testToken } from './infrastructure/identity-provider-process';
import { repoRoot } from './infrastructure/servers';
import { checkOpenApiDocument } from './openapi-document';
import { serviceUnderTest, type ServiceUnderTest, type StartedService } from './service-under-test';

type AppLike = Parameters<typeof routeInventory>[0];

export interface AccessControlTarget {
  app: AppLike;
  /** The service's HTTP base URL. */
  url: string;
  /** Its management listener (health and metrics). */
  managementUrl: string;
}

export interface AccessControlOptions {
  /** Headers that satisfy each own-credential scheme (ingestion: a Segment write key). */
  ownCredentials?: Record<string, Record<string, string>>;
  /** Values for path parameters where any value would not reach the credential check (e.g. ingestion's `:type`). */
  params?: Record<string, string>;
  /** A document (docs/security.md) that must list every route as `| \`METHOD /path\` | \`scope\` |`. */
  documentation?: string;
  /**
   * Routes allowed to be open on the API port (`GET /openapi.json`): every other route of the API
   * port must require a credential; health and metrics live on the management listener only.
   */
  openRoutes?: string[];
}

const MANAGEMENT_ROUTES = ['/health/live', '/health/ready', '/metrics'];

/** How docs/security.md writes what a route requires. */
export function documentedAccess(route: RouteEntry): string {
  const access = route.access;
  const required =
    access === undefined
      ? 'nothing declared'
      : access.kind === 'scope'
        ? `\`${access.scope}\``
        : access.kind === 'open'
          ? 'open'
          : `own credential: ${access.scheme}`;
  return `| \`${route.method} ${route.path}\` | ${required} |`;
}

/** A token without `scope`: the whole of a role that lacks it. */
async function tokenLacking(scope: Scope): Promise<string> {
  const role = ROLES.find((r) => !ROLE_SCOPES[r].includes(scope));
  if (role === undefined) throw new Error(`every role holds ${scope}`);
  return testToken(role);
}

function concretePath(route: RouteEntry, params: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? `access-test-${name}`));
}

async function statusOf(
  base: string,
  route: RouteEntry,
  headers: Record<string, string>,
  params: Record<string, string> = {},
): Promise<number> {
  const withBody = route.method !== 'GET' && route.method !== 'DELETE' && route.method !== 'HEAD';
  const response = await fetch(`${base}${concretePath(route, params)}`, {
    method: route.method,
    headers: { ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(withBody ? { body: '{}' } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * The access-control check generated from a running service's routes: every route declares what
 * it needs; a scoped route answers 401 without a credential, 403 to a real token from the test
 * identity provider that lacks the scope, and neither to a token carrying exactly that scope; an
 * own-credential route refuses bearer tokens and takes its own credential; open routes are open.
 * Returns one line per deviation (empty when every route behaves).
 */
export async function checkRouteAccess(
  target: AccessControlTarget,
  options: AccessControlOptions = {},
): Promise<{ routes: RouteEntry[]; problems: string[] }> {
  const routes = routeInventory(target.app);
  const problems: string[] = [];
  const expectStatus = (route: RouteEntry, what: string, status: number, ok: (s: number) => boolean, wanted: string) => {
    if (!ok(status)) problems.push(`${route.method} ${route.path} ${what}: ${status}, expected ${wanted}`);
  };
  const granted = (s: number) => s !== 401 && s !== 403;
  const call = (route: RouteEntry, headers: Record<string, string>) => statusOf(target.url, route, headers, options.params);
  for (const route of routes) {
    if (options.documentation !== undefined && !options.documentation.includes(documentedAccess(route)))
      problems.push(`${route.method} ${route.path}: not documented as ${documentedAccess(route)}`);
    const access = route.access;
    if (access === undefined) {
      problems.push(`${route.method} ${route.path}: declares no scope`);
      continue;
    }
    if (access.kind === 'open') {
      if (!(options.openRoutes ?? []).includes(`${route.method} ${route.path}`))
        problems.push(`${route.method} ${route.path}: open on the API port`);
      expectStatus(route, 'without credentials (open route)', await call(route, {}), granted, 'not 401/403');
      continue;
    }
    expectStatus(route, 'without credentials', await call(route, {}), (s) => s === 401, '401');
    if (access.kind === 'own-credential') {
      const anyToken = await testToken('operator');
      expectStatus(
        route,
        'with a bearer token instead of its own credential',
        await call(route, { authorization: `Bearer ${anyToken}` }),
        (s) => s === 401,
        '401',
      );
      const own = options.ownCredentials?.[access.scheme];
      if (!own) problems.push(`${route.method} ${route.path}: no ${access.scheme} credential given to the test`);
      else expectStatus(route, `with a ${access.scheme}`, await call(route, own), granted, 'not 401/403');
      continue;
    }
    const lacking = await tokenLacking(access.scope);
    expectStatus(
      route,
      `with a token lacking ${access.scope}`,
      await call(route, { authorization: `Bearer ${lacking}` }),
      (s) => s === 403,
      '403',
    );
    const exact = await testToken([access.scope]);
    expectStatus(
      route,
      `with a token of exactly ${access.scope}`,
      await call(route, { authorization: `Bearer ${exact}` }),
      granted,
      'not 401/403',
    );
  }
  for (const path of MANAGEMENT_ROUTES) {
    // Readiness may still be 503 while the consumer joins its group: open means answered, not refused.
    const management = await fetch(`${target.managementUrl}${path}`);
    await management.arrayBuffer();
    const answered = management.status === 200 || (path === '/health/ready' && management.status === 503);
    if (!answered) problems.push(`management listener GET ${path} without credentials: ${management.status}, expected 200`);
    const api = await fetch(`${target.url}${path}`);
    await api.arrayBuffer();
    if (api.status !== 404)
      problems.push(`API port GET ${path}: ${api.status}, expected 404 (health and metrics only on the management listener)`);
  }
  return { routes, problems };
}

/** docs/security.md, which lists every route with what it requires (checkRouteAccess's `documentation`). */
export function securityDocument(): string {
  return readFileSync(join(repoRoot(), 'docs', 'security.md'), 'utf8');
}

/**
 * checkRouteAccess against docs/security.md, failing with every problem it finds, and when no
 * route needs a scope at all (an inventory that found nothing proves nothing).
 */
export async function assertRouteAccess(
  target: AccessControlTarget,
  options: Omit<AccessControlOptions, 'documentation'> = {},
): Promise<void> {
  const { routes, problems } = await checkRouteAccess(target, { ...options, documentation: securityDocument() });
  if (problems.length > 0) throw new Error(`route access problems:\n${problems.join('\n')}`);
  if (!routes.some((r) => r.access?.kind === 'scope')) throw new Error('no route requires a scope: the inventory found nothing to check');
}

interface JestSuite {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeout?: number): void;
}

function jestSuite(): JestSuite {
  const suite = globalThis as Partial<JestSuite>;
  if (typeof suite.describe !== 'function' || typeof suite.it !== 'function')
    throw new Error('describeRouteAccess is called at the top of a jest test file');
  return suite as JestSuite;
}

export interface RouteAccessSuite<C extends { KAFKA_BROKERS: string[] }, S extends StartedService & AccessControlTarget> extends Omit<
  AccessControlOptions,
  'documentation'
> {
  /** The service's config, from `testEnvironment(run, …)`. */
  config: () => C;
  /** Starts the service (`startService(definition, config, 0)`). */
  start: (config: C) => Promise<S>;
}

/**
 * Every service's access-control suite, generated from its running routes: one started service
 * (consumer not awaited), the route access check against docs/security.md, and its OpenAPI
 * document (`GET /openapi.json`) checked against the OpenAPI 3.1 schema and against the same
 * routes (each route stated, with its scope and the one error body). `more` adds a service's own
 * tests on the same running service.
 */
export function describeRouteAccess<C extends { KAFKA_BROKERS: string[] }, S extends StartedService & AccessControlTarget>(
  name: string,
  suite: RouteAccessSuite<C, S>,
  more?: (sut: ServiceUnderTest<C, S>) => void,
): void {
  const { describe, it } = jestSuite();
  const { config, start, ...options } = suite;
  describe(`${name} access control (every route, real tokens from the local identity provider)`, () => {
    const sut = serviceUnderTest({ config, start, joined: false, timeoutMs: 120000 });

    // docs/security.md lists every route with what it requires; a route missing there fails too.
    it(
      'answers 401 without credentials, 403 without the scope, and lets the right scope through',
      () => assertRouteAccess(sut.service, options),
      120000,
    );

    it('states every route in its OpenAPI 3.1 document, with its scope, request schemas and the one error body', async () => {
      const { document, problems } = await checkOpenApiDocument(sut.service, options.params);
      if (problems.length > 0) throw new Error(`OpenAPI document problems:\n${problems.join('\n')}`);
      if (Object.keys((document['paths'] as Record<string, unknown> | undefined) ?? {}).length === 0)
        throw new Error('the document states no path: the check found nothing to compare');
    });

    more?.(sut);
  });
}
