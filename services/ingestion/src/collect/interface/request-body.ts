import { PassThrough, pipeline, Transform, TransformCallback } from 'node:stream';
import { createUnzip } from 'node:zlib';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProblemFilterOptions } from '@o2o/runtime';
import { HttpProblem } from '@o2o/runtime';
import { bodyProblem } from './http-problem';

export interface RequestBodyOptions {
  /** Largest accepted decompressed/compressed size ratio of a compressed body. */
  maxCompressionRatio: number;
}

/** Below this many decompressed bytes the ratio is not checked (a small body cannot be a bomb). */
const RATIO_FREE_BYTES = 64 * 1024;

/** What Fastify reads from the stream a preParsing hook returns, to check Content-Length. */
type DecodedBody = PassThrough & { receivedEncodedLength: number };

/**
 * How ingestion reads request bodies, on Fastify's own hooks:
 * - every content type arrives as text (analytics.js sends JSON as text/plain); the controller
 *   parses it, so bad JSON is answered in ingestion's error format;
 * - `Content-Encoding: gzip` or `deflate` bodies (segment-analytics-python with gzip=True) are
 *   decompressed with Node's zlib before the body limit is counted, so the limits apply to the
 *   decompressed body, and a body whose compression ratio exceeds the cap is refused while it is
 *   read (a zip bomb costs at most the cap times what was sent);
 * - errors raised before the controller (body too large, Content-Length mismatch, corrupt gzip,
 *   unsupported encoding) answer in ingestion's error body, not Fastify's (RequestBodyErrorFilter).
 */
export function configureRequestBodies(fastify: FastifyInstance, options: RequestBodyOptions): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  fastify.addHook('preParsing', async (request, _reply, payload) => decode(request, payload, options));
}

/**
 * Errors Fastify raises while it reads a body reach Nest's error handler, not a controller: on the
 * Tracking API's paths the service's ProblemFilter reads them here (the platform's one error body,
 * with Segment-minded codes), and closes the connection: the client may still be sending (a body
 * refused part way), so close rather than read the rest.
 */
export const trackingApiErrors: Pick<ProblemFilterOptions, 'translate' | 'headers'> = {
  translate: (exception, request) => (request.url.startsWith('/v1/') ? frameworkProblem(exception) : undefined),
  headers: (_problem, request): Record<string, string> => (request.url.startsWith('/v1/') ? { connection: 'close' } : {}),
};

function decode(request: FastifyRequest, payload: NodeJS.ReadableStream, options: RequestBodyOptions): NodeJS.ReadableStream {
  const header = request.headers['content-encoding'];
  const encoding = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return payload;
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    throw new HttpProblem(
      415,
      'unsupported_encoding',
      `Content-Encoding "${encoding}" is not supported; send gzip, deflate or an uncompressed body`,
      {
        issues: [{ field: 'headers.content-encoding', code: 'invalid_value', message: 'gzip, deflate or identity' }],
      },
    );
  }
  let encoded = 0;
  let decoded = 0;
  const output: DecodedBody = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
  // Fastify listens for errors only while it reads the body: a request whose body it never reads
  // (a GET) or stopped reading (over the limit) must not turn a late failure into a crash.
  output.on('error', () => undefined);
  const counted = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      encoded += chunk.length;
      output.receivedEncodedLength = encoded;
      callback(null, chunk);
    },
  });
  const capped = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      decoded += chunk.length;
      if (decoded > RATIO_FREE_BYTES && decoded > options.maxCompressionRatio * encoded) {
        callback(
          bodyProblem(
            413,
            'too_large',
            `the body decompresses to more than ${options.maxCompressionRatio} times its compressed size`,
            'too_large',
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
  // gzip and zlib-wrapped deflate, told apart by their header (createUnzip). Any failure (corrupt
  // data, the ratio cap, a client gone) ends the body with ingestion's own refusal.
  pipeline(payload, counted, createUnzip(), capped, (error) => {
    if (error)
      output.destroy(
        error instanceof HttpProblem
          ? error
          : bodyProblem(400, 'invalid_encoding', `the body is not the gzip or deflate data its Content-Encoding names (${error.message})`),
      );
  }).pipe(output);
  return output;
}

/**
 * The Tracking API's controller answers everything it raises itself; what reaches this filter on
 * its paths was raised by Fastify while reading the request (Nest wraps Fastify's errors in an
 * HttpException with Fastify's status and message).
 */
function frameworkProblem(exception: unknown): HttpProblem {
  // Stream errors while reading (a client gone mid-body) carry the status Fastify gave them.
  const carried =
    exception instanceof Error && 'statusCode' in exception && typeof exception.statusCode === 'number' ? exception.statusCode : 500;
  const status = exception instanceof HttpException ? exception.getStatus() : carried;
  const message = exception instanceof Error ? exception.message : String(exception);
  switch (status) {
    case 413:
      return bodyProblem(413, 'too_large', 'the request body (decompressed) exceeds the largest accepted size', 'too_large');
    case 404:
      return new HttpProblem(404, 'not_found', message);
    case 415:
      return bodyProblem(415, 'unsupported_media_type', message);
  }
  if (status >= 500) return new HttpProblem(500, 'internal_error', 'unexpected error');
  return bodyProblem(status, 'invalid_body', message);
}
