import { createServer, Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { ALL_SCOPES, clientCredentialsToken, demoClientOf, Role, ROLE_SCOPES, ROLES } from '@o2o/auth';

/** People who log in (authorization code flow, the provider's development login page): one per role that people hold. */
export const DEMO_USERS: ReadonlyArray<{ login: string; name: string; roles: Role[] }> = [
  { login: 'agent', name: 'Alex Agent', roles: ['agent'] },
  { login: 'marketer', name: 'Maria Marketer', roles: ['marketer'] },
  { login: 'privacy-officer', name: 'Priya Privacy', roles: ['privacy-officer'] },
  { login: 'operator', name: 'Otto Operator', roles: ['operator'] },
];

/** Public client of the people's login (PKCE, no secret); the console and curl users. */
export const DEMO_LOGIN_CLIENT = 'o2o-console';

export interface LocalIdentityProviderOptions {
  port: number;
  /** Defaults to http://127.0.0.1:<port>. */
  issuer?: string;
  /** The `aud` of access tokens: the services' AUTH_AUDIENCE. */
  audience?: string;
  host?: string;
  /** Keeps the signing key across restarts (services cache the JWKS); without it a new key per start. */
  keyFile?: string;
  accessTokenTtlSeconds?: number;
}

export interface LocalIdentityProvider {
  issuer: string;
  audience: string;
  tokenEndpoint: string;
  stop: () => Promise<void>;
}

async function signingKey(keyFile: string | undefined): Promise<JWK> {
  if (keyFile && existsSync(keyFile)) return JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const jose = await import('jose');
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), alg: 'RS256', use: 'sig' };
  jwk.kid = await jose.calculateJwkThumbprint(jwk);
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(jwk), { mode: 0o600 });
  }
  return jwk;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` library, OpenID Certified) for local runs
 * and tests: client-credentials clients per role (`demo-<role>`, allowed exactly that role's
 * scopes), and demo people per role who log in through the authorization code flow with PKCE
 * (client `o2o-console`; the provider's development login page accepts any password) and get a
 * `roles` claim. Access tokens are JWTs for the platform's audience, signed with RS256.
 */
export async function startLocalIdentityProvider(options: LocalIdentityProviderOptions): Promise<LocalIdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const issuer = options.issuer ?? `http://${host}:${options.port}`;
  const audience = options.audience ?? 'urn:o2o:platform';
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const { default: Provider } = await import('oidc-provider');
  const users = new Map(DEMO_USERS.map((u) => [u.login, u]));
  const provider = new Provider(issuer, {
    clients: [
      ...ROLES.map((role) => ({
        client_id: demoClientOf(role).clientId,
        client_secret: demoClientOf(role).clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: ROLE_SCOPES[role].join(' '),
      })),
      {
        client_id: DEMO_LOGIN_CLIENT,
        // Native (RFC 8252): a loopback redirect matches on any port, so the console (127.0.0.1:8080
        // under npm start, a free port in the browser tests) logs people in at <its URL>/callback.
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${issuer}/demo/callback`, 'http://127.0.0.1:8080/callback', 'http://localhost:8080/callback'],
        // People get their permissions from their roles claim, never from scopes they ask for.
        scope: 'openid profile offline_access',
      },
    ],
    jwks: { keys: [await signingKey(options.keyFile)] },
    scopes: ['openid', 'profile', 'offline_access', ...ALL_SCOPES],
    claims: { openid: ['sub'], profile: ['name', 'roles'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new Error(`unknown resource ${resource}`);
          return { scope: ALL_SCOPES.join(' '), audience, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: user.name, roles: user.roles }) };
    },
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token && typeof token.accountId === 'string' ? token.accountId : undefined;
      const user = accountId ? users.get(accountId) : undefined;
      return user ? { roles: user.roles } : undefined;
    },
    ttl: { AccessToken: ttl, ClientCredentials: ttl },
    // Plain HTTP on loopback for local runs; production uses the company's own issuer over TLS.
    cookies: { keys: ['local-identity-provider-cookie-key'] },
  });
  provider.on('server_error', (_ctx, error) => process.stderr.write(`identity provider error: ${error.message}\n`));
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  return {
    issuer,
    audience,
    tokenEndpoint: `${issuer}/token`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A token of a role's demo client, with all of that role's scopes or only those asked for. */
export function demoRoleToken(tokenEndpoint: string, role: Role, scopes: readonly string[] = ROLE_SCOPES[role]): Promise<string> {
  return clientCredentialsToken(tokenEndpoint, demoClientOf(role), scopes);
}
