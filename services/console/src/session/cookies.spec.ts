import { readCookie, sessionCookie } from './cookies';

describe('session cookies', () => {
  it('reads the named cookie among others and refuses values that are not ids', () => {
    expect(readCookie('a=1; o2o_console=abc_DEF-123; b=2', 'o2o_console')).toBe('abc_DEF-123');
    expect(readCookie('o2o_console_login=x; o2o_console=y', 'o2o_console')).toBe('y');
    expect(readCookie('o2o_console=a"b', 'o2o_console')).toBeUndefined();
    expect(readCookie(undefined, 'o2o_console')).toBeUndefined();
    expect(readCookie('other=1', 'o2o_console')).toBeUndefined();
  });

  it('writes HttpOnly, SameSite=Lax cookies, Secure over TLS only', () => {
    expect(sessionCookie('s', 'v', { maxAgeSeconds: 60, secure: false })).toBe('s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(sessionCookie('s', '', { maxAgeSeconds: 0, secure: true })).toContain('; Secure');
  });
});
