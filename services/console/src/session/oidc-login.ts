import { Inject, Injectable } from '@nestjs/common';
import { TokenVerifier } from '@o2o/auth';
import { authSettingsOf } from '@o2o/runtime';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import type { ConsoleSession, PendingLogin } from './session.store';

type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = InstanceType<OpenIdClient['Configuration']>;

/**
 * The console as an OpenID Connect client (backend for frontend): it runs the authorization code
 * flow with PKCE against the issuer, keeps the tokens server-side, and checks the access token
 * exactly as the services will (libs/auth), so what it shows follows the person's roles.
 */
@Injectable()
export class OidcLogin {
  private client?: Promise<{ lib: OpenIdClient; configuration: Configuration }>;
  private readonly verifier: TokenVerifier;

  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {
    this.verifier = new TokenVerifier(authSettingsOf(config));
  }

  get redirectUri(): string {
    return `${this.config.CONSOLE_PUBLIC_URL}/callback`;
  }

  private discover(): Promise<{ lib: OpenIdClient; configuration: Configuration }> {
    this.client ??= (async () => {
      const lib = await import('openid-client');
      const issuer = new URL(this.config.AUTH_ISSUER);
      // Plain HTTP only to an issuer on this machine (the local provider); production config refuses others.
      const insecure = issuer.protocol === 'http:' ? { execute: [lib.allowInsecureRequests] } : {};
      const configuration = await lib.discovery(issuer, this.config.CONSOLE_OIDC_CLIENT_ID, undefined, lib.None(), insecure);
      return { lib, configuration };
    })().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(returnTo: string): Promise<{ url: string; pending: PendingLogin }> {
    const { lib, configuration } = await this.discover();
    const codeVerifier = lib.randomPKCECodeVerifier();
    const pending: PendingLogin = { state: lib.randomState(), nonce: lib.randomNonce(), codeVerifier, returnTo: safeReturnPath(returnTo) };
    const url = lib.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile',
      code_challenge: await lib.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      resource: this.config.AUTH_AUDIENCE,
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code (state, nonce and PKCE checked) and verifies the access token like a service would. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<ConsoleSession> {
    const { lib, configuration } = await this.discover();
    const tokens = await lib.authorizationCodeGrant(
      configuration,
      callbackUrl,
      {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      { resource: this.config.AUTH_AUDIENCE },
    );
    const principal = await this.verifier.verify(tokens.access_token);
    const claims: Record<string, unknown> = tokens.claims() ?? { sub: principal.subject };
    // The access token was verified just above; its roles claim is what the services grant from.
    const roles = rolesOf(jwtPayload(tokens.access_token), this.config.AUTH_ROLES_CLAIM);
    return {
      subject: principal.subject,
      name: typeof claims['name'] === 'string' ? claims['name'] : principal.subject,
      roles,
      scopes: [...principal.scopes].sort(),
      accessToken: tokens.access_token,
      expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000,
    };
  }
}

function jwtPayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function rolesOf(claims: Record<string, unknown>, path: string): string[] {
  let value: unknown = claims;
  for (const part of path.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
}

/** Only a path of the console itself: never an open redirect to another site. */
export function safeReturnPath(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  return value;
}
