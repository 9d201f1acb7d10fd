import { Controller, Get, Header, Type } from '@nestjs/common';
import { z } from 'zod';
import { OpenRoute } from '@o2o/auth';

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

/**
 * A controller answering `GET /openapi.json` with the document, built once at start-up and
 * cached by clients for five minutes. The route is open (it describes the API, no customer data);
 * `reason` is what the route inventory records for that.
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
