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
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: (json.required ?? []).includes(name), schema: property }));
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
