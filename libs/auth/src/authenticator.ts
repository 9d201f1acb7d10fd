import { Injectable } from '@nestjs/common';
import { ApiKeyStore, API_KEY_PREFIX } from './api-keys';
import { AuthFailure, missingCredential, missingScope } from './auth-errors';
import type { Principal } from './principal';
import { TokenVerifier } from './token-verifier';

/** The credential of an Authorization header: `Bearer <JWT>` or `Bearer o2o_<API key>`. */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(value);
  return match?.[1];
}

/** Checks a call's credential and scope; used by the guard and by routes answered before it (fast paths). */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly apiKeys: ApiKeyStore,
  ) {}

  /** The caller, or an AuthFailure (401/503) to send. */
  async authenticate(header: string | string[] | undefined): Promise<Principal> {
    const credential = bearerOf(header);
    if (credential === undefined) throw missingCredential();
    if (credential.startsWith(API_KEY_PREFIX)) return this.apiKeys.authenticate(credential);
    return this.tokens.verify(credential);
  }

  /** The caller if they hold `scope`; an AuthFailure (401/403/503) otherwise. */
  async authorize(header: string | string[] | undefined, scope: string): Promise<Principal> {
    const principal = await this.authenticate(header);
    if (!principal.scopes.has(scope)) throw missingScope(scope);
    return principal;
  }

  /**
   * Without waiting: the caller when the header carries a token verified before and still valid
   * and holding `scope`; undefined when that cannot be told from memory (use authorize()).
   */
  authorizeFromMemory(header: string | string[] | undefined, scope: string): Principal | undefined {
    const credential = bearerOf(header);
    if (credential === undefined || credential.startsWith(API_KEY_PREFIX)) return undefined;
    const principal = this.tokens.cached(credential);
    return principal?.scopes.has(scope) ? principal : undefined;
  }
}

export function isAuthFailure(error: unknown): error is AuthFailure {
  return error instanceof AuthFailure;
}
