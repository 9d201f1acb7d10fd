import type { Principal } from './principal';
import type { Scope } from './scopes';

/**
 * Per-client rate limits, checked by the guard once the caller is known and holds the scope (and
 * by fast paths answered before the guard). Resolves when the call may go ahead; rejects with an
 * AuthFailure 429 when the client is over its limit. Provided by libs/runtime (Redis-backed).
 */
export interface ClientRateLimit {
  consume(principal: Principal, scope: Scope): Promise<void>;
}

export const CLIENT_RATE_LIMIT = Symbol('CLIENT_RATE_LIMIT');

/** The bucket of a caller: a person within their client, or a machine client (sub = client id), or an API key. */
export function rateLimitKeyOf(principal: Principal): string {
  return `${principal.kind}:${principal.client}:${principal.subject}`;
}
