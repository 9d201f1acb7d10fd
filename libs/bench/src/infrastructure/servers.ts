import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/*
 * The bench is tagged type:testing like libs/testing, and the module-boundary rules let a
 * type:testing project depend only on type:lib and type:contracts, so the few helpers it would
 * borrow from @o2o/testing (repo root, servers.sh, a free port) are repeated here in small.
 */

export interface ServerUrls {
  KAFKA_BROKERS: string;
  MONGO_URL: string;
  REDIS_URL: string;
}

export interface Servers extends ServerUrls {
  origin: 'environment' | 'local';
}

/** Repository root, found from this file whether it runs from src or dist. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('repository root (nx.json) not found');
}

/** Servers named by the settings when all three are, else the local servers of deploy/local (started if needed). */
export function resolveServers(settings: Partial<ServerUrls>): Servers {
  const { KAFKA_BROKERS, MONGO_URL, REDIS_URL } = settings;
  if (KAFKA_BROKERS && MONGO_URL && REDIS_URL) return { KAFKA_BROKERS, MONGO_URL, REDIS_URL, origin: 'environment' };
  const result = spawnSync('bash', [join(repoRoot(), 'deploy/local/servers.sh'), 'start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60 * 1000,
  });
  if (result.status !== 0) throw new Error(`deploy/local/servers.sh start failed with status ${String(result.status)}`);
  const vars = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) vars.set(match[1], match[2].replace(/^['"]|['"]$/g, ''));
  }
  const kafka = vars.get('KAFKA_BROKERS');
  const mongo = vars.get('MONGO_URL');
  const redis = vars.get('REDIS_URL');
  if (!kafka || !mongo || !redis) throw new Error(`servers.sh printed no connection settings: ${result.stdout}`);
  return { KAFKA_BROKERS: kafka, MONGO_URL: mongo, REDIS_URL: redis, origin: 'local' };
}

/** Process ids of the local servers (for their CPU and memory), when deploy/local runs them. */
export function localServerPids(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ['kafka', 'ferretdb', 'redis']) {
    const file = join(repoRoot(), '.local-servers/run', `${name}.pid`);
    if (!existsSync(file)) continue;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`)) out[name] = pid;
  }
  return out;
}

/** Server versions as pinned by deploy/local (what the local servers run). */
export function serverVersions(): Record<string, string> {
  const root = repoRoot();
  const pinned = (file: string, variable: string): string => {
    try {
      const match = new RegExp(`^${variable}=(\\S+)`, 'm').exec(readFileSync(join(root, 'deploy/local', file), 'utf8'));
      return match?.[1] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const redisVersion = /v=(\S+)/.exec(redis.stdout ?? '')?.[1] ?? 'unknown';
  return { kafka: pinned('kafka.sh', 'KAFKA_VERSION'), ferretdb: pinned('ferretdb.sh', 'FERRETDB_VERSION'), redis: redisVersion };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
