import { z } from 'zod';
import { SCOPES, type RouteEntry } from '@o2o/auth';
import { openApiDocument, type ServiceApi } from '@o2o/runtime';
import { documentProblems, openApiSchemaProblems } from './openapi-document';

const body = z.strictObject({ name: z.string().min(1), limit: z.number().int().default(10) });

const api: ServiceApi = {
  title: 'a service',
  version: '1.0.0',
  errorCodes: 'invalid_request, not_found',
  operations: [
    {
      route: 'GET /v1/things/:id',
      operationId: 'getThing',
      summary: 'One thing.',
      scope: SCOPES.segmentsRead,
      errors: { '404': 'No such thing.' },
    },
    {
      route: 'POST /v1/things',
      operationId: 'createThing',
      summary: 'A thing.',
      scope: SCOPES.segmentsWrite,
      body,
      success: { status: 201, description: 'Made.' },
    },
    { route: 'ALL /v1/pass/:service/*', operationId: 'pass', summary: 'Passed through.', security: [{ own: [] }] },
  ],
  securitySchemes: { own: { type: 'apiKey', in: 'cookie', name: 'session' } },
};

const routes: RouteEntry[] = [
  { method: 'GET', path: '/v1/things/:id', controller: 'Things', access: { kind: 'scope', scope: SCOPES.segmentsRead } },
  { method: 'POST', path: '/v1/things', controller: 'Things', access: { kind: 'scope', scope: SCOPES.segmentsWrite } },
  { method: 'ALL', path: '/v1/pass/:service/*', controller: 'Pass', access: { kind: 'own-credential', scheme: 'session' } },
  { method: 'GET', path: '/openapi.json', controller: 'OpenApi', access: { kind: 'open', reason: 'describes the API' } },
];

describe('a service OpenAPI document against its routes', () => {
  const document = openApiDocument(api);

  it('is valid OpenAPI 3.1, with path parameters, the request schema from zod and the one error body', async () => {
    expect(await openApiSchemaProblems(document)).toEqual([]);
    const paths = document['paths'] as Record<string, Record<string, Record<string, unknown>>>;
    const get = paths['/v1/things/{id}']?.['get'];
    expect(get?.['parameters']).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(get?.['x-required-scope']).toBe('segments:read');
    expect(Object.keys(get?.['responses'] as object).sort()).toEqual(['200', '401', '403', '404', '429']);
    const post = paths['/v1/things']?.['post'] as { requestBody: { required: boolean; content: Record<string, { schema: unknown }> } };
    expect(post.requestBody.required).toBe(true);
    expect(post.requestBody.content['application/json']?.schema).toMatchObject({ required: ['name'], additionalProperties: false });
    expect(Object.keys(paths['/v1/pass/{service}/*'] ?? {}).sort()).toEqual(['delete', 'get', 'post', 'put']);
  });

  it('finds nothing wrong when every route is stated', () => {
    expect(documentProblems(routes, document)).toEqual([]);
  });

  it('names a registered route the document misses, and one stated under another scope', () => {
    const missing = openApiDocument({ ...api, operations: api.operations.filter((o) => o.operationId !== 'createThing') });
    expect(documentProblems(routes, missing)).toEqual(['POST /v1/things: not in the OpenAPI document (post /v1/things)']);
    const otherScope = openApiDocument({
      ...api,
      operations: api.operations.map((o) => (o.operationId === 'getThing' ? { ...o, scope: SCOPES.profilesRead } : o)),
    });
    expect(documentProblems(routes, otherScope)).toEqual([
      'GET /v1/things/:id (get in the document): x-required-scope profiles:read, expected segments:read',
      'GET /v1/things/:id (get in the document): security does not name bearer with segments:read',
    ]);
  });

  it('names an error answer that is not the one error body', () => {
    const paths = structuredClone(document['paths']) as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const get = paths['/v1/things/{id}']?.['get'];
    if (get) get.responses['404'] = { description: 'gone', content: { 'application/json': { schema: { type: 'object' } } } };
    expect(documentProblems(routes, { ...document, paths })).toEqual([
      'GET /v1/things/:id (get in the document): answer 404 is not the one error body (#/components/schemas/Problem)',
    ]);
  });

  it('refuses a document the OpenAPI 3.1 schema refuses', async () => {
    const { info: _info, ...noInfo } = document;
    expect((await openApiSchemaProblems(noInfo)).length).toBeGreaterThan(0);
  });

  it('refuses a route stated twice', () => {
    expect(() => openApiDocument({ ...api, operations: [...api.operations, ...api.operations.slice(0, 1)] })).toThrow(
      'GET /v1/things/:id is stated twice in a service',
    );
  });
});
