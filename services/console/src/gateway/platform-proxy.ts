import type { PlatformService } from './platform.client';

/**
 * The service routes the console's screens call, passed through with the person's own token
 * (each service checks its scopes). Anything else is refused by the console: it is not an open
 * proxy into the platform.
 */
const allowed: ReadonlyArray<{ service: PlatformService; methods: readonly string[]; path: RegExp }> = [
  { service: 'campaign', methods: ['GET', 'POST'], path: /^\/v1\/segments(\/preview)?$/ },
  { service: 'campaign', methods: ['GET', 'PUT', 'DELETE'], path: /^\/v1\/segments\/[A-Za-z0-9._-]+$/ },
  { service: 'campaign', methods: ['GET'], path: /^\/v1\/segments\/[A-Za-z0-9._-]+\/(members|flow)$/ },
  { service: 'campaign', methods: ['GET'], path: /^\/v1\/reports\/value-by-stage$/ },
  { service: 'campaign', methods: ['GET', 'POST'], path: /^\/v1\/campaigns$/ },
  { service: 'campaign', methods: ['GET', 'PUT'], path: /^\/v1\/campaigns\/[A-Za-z0-9._-]+$/ },
  { service: 'campaign', methods: ['GET'], path: /^\/v1\/campaigns\/[A-Za-z0-9._-]+\/lift$/ },
  { service: 'identity', methods: ['GET'], path: /^\/v1\/review$/ },
  { service: 'identity', methods: ['POST'], path: /^\/v1\/review\/[A-Za-z0-9._:-]+\/(accept|reject)$/ },
  { service: 'identity', methods: ['GET'], path: /^\/v1\/matching\/training$/ },
  { service: 'identity', methods: ['GET'], path: /^\/v1\/privacy\/requests\/[A-Za-z0-9._:-]+$/ },
  { service: 'value', methods: ['GET'], path: /^\/v1\/models(\/current|\/jobs|\/jobs\/[A-Za-z0-9._-]+)?$/ },
  { service: 'value', methods: ['POST'], path: /^\/v1\/models\/(refit|rescore)$/ },
  { service: 'value', methods: ['GET'], path: /^\/v1\/reports\/value$/ },
  // Every service's dead letters: list, inspect one, re-drive or discard (each service checks dead-letters:read / :write).
  ...(['ingestion', 'identity', 'value', 'needs', 'campaign'] as const).flatMap((service) => [
    { service, methods: ['GET'], path: /^\/admin\/v1\/dead-letters(\/\d{1,6}\/\d{1,20})?$/ },
    { service, methods: ['POST'], path: /^\/admin\/v1\/dead-letters\/(redrive|discard)$/ },
  ]),
];

export function isAllowedPlatformCall(service: string, method: string, path: string): service is PlatformService {
  return allowed.some((a) => a.service === service && a.methods.includes(method) && a.path.test(path));
}
