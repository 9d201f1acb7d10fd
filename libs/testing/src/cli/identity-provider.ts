import { demoClientOf, ROLES } from '@o2o/auth';
import { DEMO_LOGIN_CLIENT, DEMO_USERS, startLocalIdentityProvider } from '../identity-provider/local-identity-provider';

/**
 * The local OpenID Connect provider of `npm start` and the tests (oidc-provider).
 *   OIDC_PORT (3005)  OIDC_ISSUER (http://127.0.0.1:<port>)  AUTH_AUDIENCE (urn:o2o:platform)
 *   OIDC_KEY_FILE (none: a new signing key per start)  OIDC_EXIT_WITH_STDIN (false)
 * Prints one line, `ready <issuer>`, once it listens.
 */
async function main(): Promise<void> {
  const port = Number(process.env['OIDC_PORT'] ?? 3005);
  const provider = await startLocalIdentityProvider({
    port,
    ...(process.env['OIDC_ISSUER'] ? { issuer: process.env['OIDC_ISSUER'] } : {}),
    ...(process.env['AUTH_AUDIENCE'] ? { audience: process.env['AUTH_AUDIENCE'] } : {}),
    ...(process.env['OIDC_KEY_FILE'] ? { keyFile: process.env['OIDC_KEY_FILE'] } : {}),
  });
  const clients = ROLES.map((role) => `${demoClientOf(role).clientId}:${demoClientOf(role).clientSecret}`).join(', ');
  process.stderr.write(
    `identity provider ${provider.issuer}, audience ${provider.audience}\n  client credentials: ${clients}\n  people (client ${DEMO_LOGIN_CLIENT}, any password): ${DEMO_USERS.map((u) => u.login).join(', ')}\n`,
  );
  process.stdout.write(`ready ${provider.issuer}\n`);
  const stop = () => void provider.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Started by a test run: go when the run goes, however it ends.
  if (process.env['OIDC_EXIT_WITH_STDIN'] === 'true') {
    process.stdin.on('end', stop).on('close', stop).resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`identity provider failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
