import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ServerUrls {
  KAFKA_BROKERS: string;
  MONGO_URL: string;
  REDIS_URL: string;
}

export type ServerOrigin = 'environment' | 'testcontainers' | 'local';

/** Repository root, found from this file whether it runs from src (jest) or dist. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('repository root (nx.json) not found');
}

/** Servers named by the environment, when all three are. */
export function serversFromEnvironment(env: NodeJS.ProcessEnv = process.env): ServerUrls | undefined {
  const { KAFKA_BROKERS, MONGO_URL, REDIS_URL } = env;
  return KAFKA_BROKERS && MONGO_URL && REDIS_URL ? { KAFKA_BROKERS, MONGO_URL, REDIS_URL } : undefined;
}

/** Starts (or reuses) the local servers of deploy/local and returns their URLs. */
export function startLocalServers(): ServerUrls {
  const script = join(repoRoot(), 'deploy/local/servers.sh');
  const result = spawnSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60 * 1000 });
  if (result.status !== 0) throw new Error(`deploy/local/servers.sh start failed with status ${String(result.status)}`);
  const vars = parseExports(result.stdout);
  const urls = serversFromEnvironment(vars);
  if (!urls) throw new Error(`servers.sh printed no connection settings: ${result.stdout}`);
  return urls;
}

export function stopLocalServers(): void {
  spawnSync('bash', [join(repoRoot(), 'deploy/local/servers.sh'), 'stop'], { stdio: 'inherit', timeout: 120000 });
}

function parseExports(text: string): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2].replace(/^['"]|['"]$/g, '');
  }
  return vars;
}
