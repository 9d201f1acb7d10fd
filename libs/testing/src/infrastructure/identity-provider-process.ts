import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_SCOPES, ROLES, Role, Scope } from '@o2o/auth';
import { demoRoleToken } from '../identity-provider/local-identity-provider';
import { repoRoot } from './servers';
import { freePort } from './service-process';

/** Environment variable through which the global setup hands the test issuer to every test file. */
export const TEST_AUTH_ISSUER_VARIABLE = 'O2O_TEST_AUTH_ISSUER';

/**
 * Starts the local OpenID Connect provider (libs/testing/dist/cli/identity-provider.js, built by
 * `tsc -b`) as its own process on a free port, and answers its issuer once it listens.
 */
export async function startIdentityProviderProcess(): Promise<{ issuer: string; child: ChildProcess }> {
  const entry = join(repoRoot(), 'libs', 'testing', 'dist', 'cli', 'identity-provider.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx tsc -b tsconfig.build.json)`);
  const port = await freePort();
  // OIDC_EXIT_WITH_STDIN: the provider exits when this process does, even if it dies without a teardown.
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, OIDC_PORT: String(port), OIDC_EXIT_WITH_STDIN: 'true' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`identity provider not ready after 30 s:\n${output}`)), 30000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`identity provider exited with ${code}:\n${output}`));
    });
  });
  child.unref();
  return { issuer, child };
}

/** The issuer the global setup started. */
export function testIssuer(): string {
  const issuer = process.env[TEST_AUTH_ISSUER_VARIABLE];
  if (!issuer)
    throw new Error(
      `${TEST_AUTH_ISSUER_VARIABLE} is not set: run integration tests through jest.int.config.js (its global setup starts the identity provider)`,
    );
  return issuer;
}

const tokens = new Map<string, Promise<string>>();

/**
 * A real access token from the test identity provider: a role's client-credentials token with all
 * the role's scopes, or, given scopes, a token with exactly those (from a role that holds them all).
 */
export function testToken(who: Role | readonly Scope[]): Promise<string> {
  const wanted: readonly Scope[] | undefined = typeof who === 'string' ? undefined : who;
  const role = wanted === undefined ? (who as Role) : ROLES.find((r) => wanted.every((s) => ROLE_SCOPES[r].includes(s)));
  if (role === undefined) return Promise.reject(new Error(`no role holds all of ${String(wanted)}`));
  const scopes = wanted ?? ROLE_SCOPES[role];
  const key = `${role}|${[...scopes].sort().join(' ')}`;
  let token = tokens.get(key);
  if (!token) {
    token = demoRoleToken(`${testIssuer()}/token`, role, scopes);
    tokens.set(key, token);
    token.catch(() => tokens.delete(key));
  }
  return token;
}

/** `{ authorization: 'Bearer …' }` for fetch. */
export async function authHeader(who: Role | readonly Scope[]): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await testToken(who)}` };
}
