/** The console's session cookie: an opaque random id; the tokens stay on the server. */
export const SESSION_COOKIE = 'o2o_console';
/** Holds state, nonce and PKCE verifier between the redirect to the issuer and the callback. */
export const LOGIN_COOKIE = 'o2o_console_login';

/** Reads one cookie from a Cookie header (RFC 6265 pairs; values are our own base64url ids). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * A Set-Cookie value: HttpOnly (scripts never see it), SameSite=Lax (sent on the issuer's
 * redirect back, never on cross-site POSTs), Secure when the console is served over TLS.
 */
export function sessionCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
