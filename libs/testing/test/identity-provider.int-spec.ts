import { createHash, randomBytes } from 'node:crypto';
import { TokenVerifier } from '@o2o/auth';
import { DEMO_LOGIN_CLIENT, testIssuer, testToken } from '../src';

/**
 * The local identity provider as people and machines use it: a demo person logs in through the
 * authorization code flow with PKCE on the provider's login page, and the access token the
 * services receive carries the person's roles (so an agent gets the agent's scopes and no other).
 */
describe('local identity provider (oidc-provider)', () => {
  const issuer = () => testIssuer();
  const verifier = () =>
    new TokenVerifier({
      issuer: issuer(),
      audience: 'urn:o2o:platform',
      clockSkewSeconds: 30,
      rolesClaim: 'roles',
      algorithms: ['RS256'],
      apiKeyCacheSeconds: 10,
    });

  /** Follows one step of the browser flow by hand: cookies kept, redirects not followed. */
  const cookies = new Map<string, string>();
  const step = async (url: string, form?: Record<string, string>): Promise<string> => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    await response.arrayBuffer();
    const location = response.headers.get('location');
    return location ? new URL(location, url).toString() : '';
  };

  it('logs a demo agent in with the authorization code flow and issues a token carrying the agent role', async () => {
    const verifierCode = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifierCode).digest('base64url');
    const redirectUri = `${issuer()}/demo/callback`;
    const authorize = `${issuer()}/auth?${new URLSearchParams({ client_id: DEMO_LOGIN_CLIENT, response_type: 'code', scope: 'openid profile', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state: 'st', nonce: 'nn' })}`;
    const login = await step(authorize);
    expect(login).toContain('/interaction/');
    const afterLogin = await step(login, { prompt: 'login', login: 'agent', password: 'any' });
    const consent = await step(afterLogin);
    const afterConsent = await step(consent, { prompt: 'consent' });
    const callback = new URL(await step(afterConsent));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    const code = callback.searchParams.get('code') ?? '';
    const tokenResponse = await fetch(`${issuer()}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DEMO_LOGIN_CLIENT,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifierCode,
      }).toString(),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
    const person = await verifier().verify(accessToken);
    expect(person.subject).toBe('agent');
    expect([...person.scopes].sort()).toEqual(['decisions:write', 'profiles:read']);
  });

  it('gives a client-credentials client only the scopes it asked for, and refuses one its role lacks', async () => {
    const token = await testToken(['profiles:read']);
    expect([...(await verifier().verify(token)).scopes]).toEqual(['profiles:read']);
    await expect(testToken(['privacy:erase', 'profiles:read'])).rejects.toThrow('no role holds all of');
  });
});
