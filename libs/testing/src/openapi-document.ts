import { routeInventory, type RouteEntry } from '@o2o/auth';

type AppLike = Parameters<typeof routeInventory>[0];

/** As OpenAPI writes a path: Nest's `:id` as `{id}`; `given` values replace their parameters (ingestion's `:type` is /v1/track...). */
function documentPath(path: string, given: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => given[name] ?? `{${name}}`);
}

const ALL_METHODS = ['get', 'post', 'put', 'delete'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PROBLEM_REF = '#/components/schemas/Problem';

/** What is wrong with one operation of the document for `route`: its access and its answers. */
function operationProblems(route: RouteEntry, method: string, operation: Record<string, unknown>): string[] {
  const at = `${route.method} ${route.path} (${method} in the document)`;
  const problems: string[] = [];
  const access = route.access;
  const security = operation['security'];
  if (access?.kind === 'scope') {
    if (operation['x-required-scope'] !== access.scope)
      problems.push(`${at}: x-required-scope ${String(operation['x-required-scope'])}, expected ${access.scope}`);
    const bearer = Array.isArray(security) ? security.find((s): s is Record<string, unknown> => isRecord(s) && 'bearer' in s) : undefined;
    if (!Array.isArray(bearer?.['bearer']) || !bearer['bearer'].includes(access.scope))
      problems.push(`${at}: security does not name bearer with ${access.scope}`);
  } else if (access?.kind === 'own-credential') {
    if (!Array.isArray(security)) problems.push(`${at}: states no security for its ${access.scheme}`);
  } else if (access?.kind === 'open') {
    if (!Array.isArray(security) || security.length > 0) problems.push(`${at}: an open route must state security: []`);
  }
  const responses = isRecord(operation['responses']) ? operation['responses'] : {};
  const statuses = Object.keys(responses);
  if (!statuses.some((s) => s.startsWith('2') || s.startsWith('3'))) problems.push(`${at}: no success answer`);
  for (const status of statuses.filter((s) => Number(s) >= 400)) {
    const answer = responses[status];
    const content = isRecord(answer) && isRecord(answer['content']) ? answer['content'] : {};
    const json = content['application/json'];
    const schema = isRecord(json) ? json['schema'] : undefined;
    if (!isRecord(schema) || schema['$ref'] !== PROBLEM_REF)
      problems.push(`${at}: answer ${status} is not the one error body (${PROBLEM_REF})`);
  }
  if (access?.kind === 'scope' && !['401', '403'].every((s) => statuses.includes(s)))
    problems.push(`${at}: a scoped route states no 401 or 403`);
  return problems;
}

/**
 * Routes the service registers that its OpenAPI document misses or misstates: each route of the
 * inventory (but `GET /openapi.json` itself) must be an operation of the document (`@All` routes:
 * GET, POST, PUT and DELETE), with its scope as `x-required-scope` and bearer security, open
 * routes with `security: []`, and every error status answering the one error body. `params`
 * names the values a route is documented under (ingestion's `/v1/:type` as `/v1/track`).
 */
export function documentProblems(routes: readonly RouteEntry[], document: unknown, params: Record<string, string> = {}): string[] {
  const paths = isRecord(document) && isRecord(document['paths']) ? document['paths'] : {};
  const problems: string[] = [];
  for (const route of routes) {
    if (route.method === 'GET' && route.path === '/openapi.json') continue;
    const item = paths[documentPath(route.path)] ?? paths[documentPath(route.path, params)];
    const methods = route.method === 'ALL' ? ALL_METHODS : [route.method.toLowerCase()];
    for (const method of methods) {
      const operation = isRecord(item) ? item[method] : undefined;
      if (!isRecord(operation))
        problems.push(`${route.method} ${route.path}: not in the OpenAPI document (${method} ${documentPath(route.path)})`);
      else problems.push(...operationProblems(route, method, operation));
    }
  }
  return problems;
}

/** The OpenAPI 3.1 schema's verdict on a document (@seriousme/openapi-schema-validator): one line per error, none when valid. */
export async function openApiSchemaProblems(document: Record<string, unknown>): Promise<string[]> {
  // The validator ships ES modules only; this file is CommonJS.
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const validator = new Validator();
  const result = await validator.validate(document);
  if (validator.version !== '3.1') return [`OpenAPI ${validator.version}, expected 3.1`];
  if (result.valid) return [];
  return typeof result.errors === 'string'
    ? [result.errors]
    : (result.errors ?? []).map((e) => `${e.instancePath || '(document)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/** A running service's document (`GET /openapi.json`) against its routes and the OpenAPI 3.1 schema: every problem found. */
export async function checkOpenApiDocument(
  target: { app: AppLike; url: string },
  params: Record<string, string> = {},
): Promise<{ document: Record<string, unknown>; problems: string[] }> {
  const response = await fetch(`${target.url}/openapi.json`);
  if (response.status !== 200) return { document: {}, problems: [`GET /openapi.json: ${response.status}, expected 200`] };
  const document = (await response.json()) as Record<string, unknown>;
  return {
    document,
    problems: [...(await openApiSchemaProblems(document)), ...documentProblems(routeInventory(target.app), document, params)],
  };
}
