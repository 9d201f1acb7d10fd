import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { AuthFailure, invalidCredential } from './auth-errors';
import type { AuthSettings } from './auth-settings';
import type { Principal } from './principal';
import { scopesOfRoles } from './scopes';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

interface CachedToken {
  principal: Principal;
  /** When the token stops being valid (exp plus the clock skew), in ms. */
  validUntil: number;
}

/** Longest a verified token is remembered (it is still refused after its own expiry). */
const TOKEN_CACHE_MS = 5 * 60_000;

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The scopes a token grants: its `scope`/`scp` claim, plus those of the roles it carries. */
export function scopesOfClaims(payload: JWTPayload, rolesClaim: string): Set<string> {
  return new Set([...strings(payload['scope']), ...strings(payload['scp']), ...scopesOfRoles(strings(claimAt(payload, rolesClaim)))]);
}

/**
 * Verifies OAuth 2.0 / OpenID Connect access tokens (JWT) against the issuer's JWKS with jose:
 * signature, issuer, audience, expiry and not-before within the clock skew. A verified token is
 * remembered until it expires (at most five minutes), so a hot route pays for the signature once
 * per token, not once per call.
 */
export class TokenVerifier {
  private jose: Promise<Jose> | undefined;
  private keys: Promise<JWTVerifyGetKey> | undefined;
  private readonly verified = new LRUCache<string, CachedToken>({ max: 10_000 });

  constructor(private readonly settings: AuthSettings) {}

  /** The principal of a token already verified and still valid, without waiting. */
  cached(token: string): Principal | undefined {
    const hit = this.verified.get(cacheKey(token));
    if (hit === undefined) return undefined;
    if (hit.validUntil <= Date.now()) {
      this.verified.delete(cacheKey(token));
      return undefined;
    }
    return hit.principal;
  }

  async verify(token: string): Promise<Principal> {
    const hit = this.cached(token);
    if (hit) return hit;
    const jose = await this.loadJose();
    const keys = await this.loadKeys(jose);
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockSkewSeconds,
        algorithms: this.settings.algorithms,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof jose.errors.JOSEError && !(error instanceof jose.errors.JWKSTimeout))
        throw invalidCredential(error.code.replace(/^ERR_/, '').toLowerCase());
      throw new AuthFailure(503, `the token issuer's keys could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    const principal: Principal = {
      kind: 'token',
      subject: String(payload.sub),
      client:
        typeof payload['client_id'] === 'string'
          ? payload['client_id']
          : typeof payload['azp'] === 'string'
            ? payload['azp']
            : String(payload.sub),
      scopes: scopesOfClaims(payload, this.settings.rolesClaim),
    };
    const expiresAt = (payload.exp ?? 0) * 1000 + this.settings.clockSkewSeconds * 1000;
    this.verified.set(cacheKey(token), { principal, validUntil: Math.min(expiresAt, Date.now() + TOKEN_CACHE_MS) });
    return principal;
  }

  private loadJose(): Promise<Jose> {
    this.jose ??= import('jose');
    return this.jose;
  }

  private loadKeys(jose: Jose): Promise<JWTVerifyGetKey> {
    this.keys ??= this.jwksUrl().then((url) => jose.createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 }));
    // A discovery that failed is tried again on the next call rather than remembered.
    this.keys.catch(() => {
      this.keys = undefined;
    });
    return this.keys.catch((error: unknown) => {
      throw new AuthFailure(503, `the token issuer could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async jwksUrl(): Promise<string> {
    if (this.settings.jwksUrl) return this.settings.jwksUrl;
    const discovery = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${discovery} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.settings.issuer)
      throw new Error(`${discovery} names the issuer ${String(document.issuer)}, not ${this.settings.issuer}`);
    if (typeof document.jwks_uri !== 'string') throw new Error(`${discovery} has no jwks_uri`);
    return document.jwks_uri;
  }
}

/** Tokens are kept by digest, so the cache holds no usable credential. */
function cacheKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
