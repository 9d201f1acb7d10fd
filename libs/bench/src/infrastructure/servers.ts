import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, serversFromEnvironment, ServerUrls, startLocalServers } from '@o2o/testing';

export interface Servers extends ServerUrls {
  origin: 'environment' | 'local';
}

/** Servers named by the settings when all three are, else the local servers of deploy/local (started if needed). */
export function resolveServers(settings: Partial<ServerUrls>): Servers {
  const named = serversFromEnvironment({ ...settings });
  if (named) return { ...named, origin: 'environment' };
  return { ...startLocalServers(), origin: 'local' };
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
