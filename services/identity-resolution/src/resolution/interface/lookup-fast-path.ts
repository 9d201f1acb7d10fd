import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Authenticator, CLIENT_RATE_LIMIT, ClientRateLimit, isAuthFailure, SCOPES } from '@o2o/auth';
import { LookupIdentityQuery } from '../application/lookup-identity/lookup-identity.query';

const LOOKUP_PATH = /^\/v1\/identities\/([^/?#]+)\/([^/?#]+)(?:\?.*)?$/u;

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Answers `GET /v1/identities/{type}/{value}` from this process's memory before the framework's
 * per-request work (Nest middleware: the request logger creates two child loggers with
 * redaction for every request, which was most of the lookup's CPU and the whole of its p99 tail).
 * Only in-memory hits for a caller whose token this process verified before (and that carries
 * profiles:read) are answered here, with the same body and content type as IdentitiesController;
 * everything else (no or a new credential, an API key, a miss, a non-unique type, a bad value, an
 * unknown type) falls through to the guard and the controller unchanged.
 */
export function installLookupFastPath(app: NestFastifyApplication): void {
  const lookup = app.get(LookupIdentityQuery);
  const authenticator = app.get(Authenticator);
  const rateLimit = app.get<ClientRateLimit>(CLIENT_RATE_LIMIT);
  // The adapter's request hook runs before Nest middleware (a Fastify hook added here would run
  // after it: NestFactory.create registers @fastify/middie first).
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof FastifyAdapter)) throw new Error('the lookup fast path needs the Fastify adapter');
  adapter.setOnRequestHook((request, reply, done) => {
    if (request.method !== 'GET') return done();
    const principal = authenticator.authorizeFromMemory(request.headers.authorization, SCOPES.profilesRead);
    if (principal === undefined) return done();
    const match = LOOKUP_PATH.exec(request.url);
    const type = match?.[1] !== undefined ? decoded(match[1]) : undefined;
    const value = match?.[2] !== undefined ? decoded(match[2]) : undefined;
    const answer = type !== undefined && value !== undefined ? lookup.answerInMemory(type, value) : undefined;
    if (answer === undefined) return done();
    // The client's rate limit applies here as in the guard (an in-memory count for lookups).
    // Answering from a hook: the reply is sent and the request goes no further.
    rateLimit.consume(principal, SCOPES.profilesRead).then(
      () => void reply.code(200).header('content-type', 'application/json; charset=utf-8').send(answer),
      (error: unknown) => {
        if (isAuthFailure(error))
          void reply
            .code(error.status)
            .header('retry-after', String(error.retryAfterSeconds ?? 1))
            .header('content-type', 'application/json; charset=utf-8')
            .send(error.body());
        else done(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
