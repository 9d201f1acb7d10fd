/** A machine client of an OAuth 2.0 issuer. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The issuer's token endpoint, from its OpenID Connect discovery document. */
export async function tokenEndpointOf(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const document = (await response.json()) as { token_endpoint?: unknown };
  if (typeof document.token_endpoint !== 'string') throw new Error(`${url} names no token_endpoint`);
  return document.token_endpoint;
}

/** An access token by the client-credentials grant (RFC 6749 §4.4), with `scopes` (the client's defaults when empty). */
export async function clientCredentialsToken(tokenEndpoint: string, client: ClientCredentials, scopes: readonly string[]): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scopes.length ? { scope: scopes.join(' ') } : {}) });
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: form.toString(),
    signal: AbortSignal.timeout(10000),
  });
  const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token)
    throw new Error(
      `token request for ${client.clientId} failed: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
  return body.access_token;
}

/**
 * The demo client-credentials clients of the local identity provider (`npm start`): `demo-<role>`
 * with the secret `demo-<role>-demo-secret`. Public knowledge, for local runs and benchmarks only.
 */
export function demoClientOf(role: string): ClientCredentials {
  return { clientId: `demo-${role}`, clientSecret: `demo-${role}-demo-secret` };
}
