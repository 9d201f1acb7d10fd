import { Controller, Get, Header, Type } from '@nestjs/common';
import { z } from 'zod';
import { OpenRoute, type Scope } from '@o2o/auth';

/**
 * The JSON Schema of what a zod schema accepts (its input side), for an OpenAPI 3.1 document.
 * Types JSON Schema cannot state (transforms, dates) become "any" rather than failing; `$schema`
 * is dropped because the document's dialect already governs every schema inside it.
 */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The query parameters of an OpenAPI operation, one per property of the zod object that parses the query. */
export function openApiQueryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  const json = openApiSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** The route's path as `RequireScope`'s route inventory and docs/security.md write it: `GET /v1/customers/:id/value`. */
export type ApiRoute = `${'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'ALL'} /${string}`;

/** The methods a Nest `@All` route answers, each stated in the document. */
const ALL_METHODS = ['get', 'post', 'put', 'delete'];

/** A response's description, with its headers where it has any (Retry-After...). */
export type ApiResponse = string | { description: string; headers?: Record<string, unknown> };

/**
 * One route of a service's API, as its OpenAPI document states it. Request schemas are the zod
 * schemas the controller parses with (never written twice); every error status answers the one
 * error body (HttpProblem).
 */
export interface ApiOperation {
  route: ApiRoute;
  operationId: string;
  summary: string;
  description?: string;
  /** The scope the route requires (its `RequireScope`): a bearer token or API key carrying it. */
  scope?: Scope;
  /** Security requirements instead of a scope (ingestion's write keys). */
  security?: Array<Record<string, string[]>>;
  /** The zod schema the controller parses the JSON body with. */
  body?: z.ZodType;
  /** Other media types the body is accepted as, besides application/json. */
  bodyMedia?: Record<string, { schema: Record<string, unknown> }>;
  /** The zod object the controller parses the query with. */
  query?: z.ZodObject;
  /** More parameters (a query value read one by one, a header); path parameters come from the route. */
  parameters?: Array<Record<string, unknown>>;
  /** The answer of a call that succeeds: 200 with a JSON object unless stated. */
  success?: { status?: number; description: string; schema?: Record<string, unknown>; empty?: boolean; media?: string };
  /**
   * Error statuses and when they are answered, beyond 401, 403 and 429 (every scoped route) and
   * 400 (every route with a body or query schema), whose descriptions they may replace.
   */
  errors?: Record<string, ApiResponse>;
}

export interface ServiceApi {
  title: string;
  version: string;
  description?: string;
  /** The error codes the service answers, for the error body's `code`. */
  errorCodes: string;
  /** Codes of an issue (`issues[].code`), where a client branches on them. */
  issueCodes?: readonly string[];
  operations: readonly ApiOperation[];
  /** Security schemes beside `bearer` (the scoped routes'). */
  securitySchemes?: Record<string, unknown>;
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function response(answer: ApiResponse): Record<string, unknown> {
  const { description, headers } = typeof answer === 'string' ? { description: answer, headers: undefined } : answer;
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: PROBLEM_REF } } };
}

/** Nest's `:id` as OpenAPI's `{id}`. */
export function openApiPath(route: ApiRoute): { method: string; path: string; parameters: string[] } {
  const [method = '', pattern = ''] = route.split(' ');
  const parameters = [...pattern.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '');
  return { method: method.toLowerCase(), path: pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}'), parameters };
}

function operationOf(operation: ApiOperation, path: string[]): Record<string, unknown> {
  const defaults: Record<string, ApiResponse> = {};
  if (operation.body !== undefined || operation.query !== undefined)
    defaults['400'] = 'A field the request schema refuses (issues name each).';
  if (operation.scope !== undefined) {
    defaults['401'] = 'No credential, or an invalid one.';
    defaults['403'] = 'The credential lacks the scope (`requiredScope`).';
    defaults['429'] = { description: "Over the client's rate limit.", headers: { 'Retry-After': { schema: { type: 'integer' } } } };
  }
  const errors = { ...defaults, ...operation.errors };
  const success = operation.success ?? { description: 'Done.' };
  const parameters = [
    ...path.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(operation.query ? openApiQueryParameters(operation.query) : []),
    ...(operation.parameters ?? []),
  ];
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(operation.scope !== undefined ? { security: [{ bearer: [operation.scope] }], 'x-required-scope': operation.scope } : {}),
    ...(operation.security ? { security: operation.security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            // parseBody reads a missing body as {}: a schema that takes {} takes no body.
            required: !operation.body.safeParse({}).success,
            content: { 'application/json': { schema: openApiSchema(operation.body) }, ...operation.bodyMedia },
          },
        }
      : {}),
    responses: {
      [String(success.status ?? 200)]: {
        description: success.description,
        ...(success.empty ? {} : { content: { [success.media ?? 'application/json']: { schema: success.schema ?? { type: 'object' } } } }),
      },
      ...Object.fromEntries(Object.entries(errors).map(([status, answer]) => [status, response(answer)])),
    },
  };
}

/**
 * A service's OpenAPI 3.1 document: one operation per route, scoped routes under `bearer` with
 * their scope (also as `x-required-scope`), every error status answering `Problem`, the one error
 * body. Throws on a route stated twice.
 */
export function openApiDocument(api: ServiceApi): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of api.operations) {
    const { method, path, parameters } = openApiPath(operation.route);
    const item = (paths[path] ??= {});
    for (const each of method === 'all' ? ALL_METHODS : [method]) {
      if (item[each] !== undefined) throw new Error(`${operation.route} is stated twice in ${api.title}`);
      const operationId =
        method === 'all' ? `${operation.operationId}${each.charAt(0).toUpperCase()}${each.slice(1)}` : operation.operationId;
      item[each] = operationOf({ ...operation, operationId }, parameters);
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: api.title, version: api.version, ...(api.description ? { description: api.description } : {}) },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'OAuth 2.0 access token from the issuer, or a scoped API key' },
        ...api.securitySchemes,
      },
      schemas: { Problem: openApiErrorBody({ codes: api.errorCodes, ...(api.issueCodes ? { issueCodes: api.issueCodes } : {}) }) },
    },
    paths,
  };
}

/**
 * A controller answering `GET /openapi.json` with the document, built once at start-up and
 * cached by clients for five minutes. The route is open (it describes the API, no customer data);
 * `reason` is what the route inventory records for that. startService mounts it for every service
 * whose definition has an `api`.
 */
export function openApiController(document: () => Record<string, unknown>, reason: string): Type<unknown> {
  @Controller()
  @OpenRoute(reason)
  class OpenApiController {
    private readonly document = document();

    @Get('openapi.json')
    @Header('Cache-Control', 'public, max-age=300')
    openapi(): Record<string, unknown> {
      return this.document;
    }
  }
  return OpenApiController;
}

/**
 * The JSON Schema of the platform's one error body (HttpProblem), for every error response of an
 * OpenAPI document: `{ success: false, error: { code, message, issues?, ...details } }`.
 */
export function openApiErrorBody(options: { codes: string; issueCodes?: readonly string[] }): Record<string, unknown> {
  return {
    type: 'object',
    required: ['success', 'error'],
    properties: {
      success: { const: false },
      error: {
        type: 'object',
        required: ['code', 'message'],
        description:
          'Facts a client needs beyond code and message (a survivor id, the candidates of a shared identifier, the scope a route needs) sit beside them.',
        additionalProperties: true,
        properties: {
          code: { type: 'string', description: options.codes },
          message: { type: 'string' },
          requiredScope: { type: 'string', description: 'The scope the route needs (403).' },
          issues: {
            type: 'array',
            items: {
              type: 'object',
              required: ['field', 'message'],
              properties: {
                field: {
                  type: 'string',
                  description: 'dotted path of the offending field, e.g. properties.$where or batch.3.userId; (body) for the whole body',
                },
                code: options.issueCodes ? { type: 'string', enum: [...options.issueCodes] } : { type: 'string' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}
