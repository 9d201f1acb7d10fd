import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './servers';
import { createServer } from 'node:net';

export type PrivateServerKind = 'kafka' | 'ferretdb' | 'redis';

/**
 * A free port below the range the OS hands out to outgoing connections (32768 and up on Linux):
 * a server that is stopped and started again must find its port still free, and a port picked by
 * listen(0) comes from that range, where any client connection may take it in between.
 */
async function freeServerPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * One server of deploy/local of its own (own ports, own data under a temporary
 * LOCAL_SERVERS_HOME), for tests that stop and start a server to prove behaviour during an
 * outage without touching the servers every other test shares. The binaries come from the shared
 * cache (LOCAL_SERVERS_CACHE, default <repo>/.local-servers/cache), installed there on first use.
 */
export class PrivateServer {
  private constructor(
    readonly kind: PrivateServerKind,
    private readonly home: string,
    private readonly env: Record<string, string>,
    /** Connection string in the form the services' settings take. */
    readonly url: string,
  ) {}

  static async create(kind: PrivateServerKind): Promise<PrivateServer> {
    const home = mkdtempSync(join(tmpdir(), `o2o-${kind}-`));
    const port = await freeServerPort();
    const env: Record<string, string> = {
      LOCAL_SERVERS_HOME: home,
      LOCAL_SERVERS_CACHE: process.env['LOCAL_SERVERS_CACHE'] ?? join(repoRoot(), '.local-servers', 'cache'),
    };
    let url: string;
    if (kind === 'kafka') {
      env['KAFKA_PORT'] = String(port);
      env['KAFKA_CONTROLLER_PORT'] = String(await freeServerPort());
      url = `127.0.0.1:${port}`;
    } else if (kind === 'ferretdb') {
      env['MONGO_PORT'] = String(port);
      url = `mongodb://127.0.0.1:${port}`;
    } else {
      env['REDIS_PORT'] = String(port);
      url = `redis://127.0.0.1:${port}`;
    }
    return new PrivateServer(kind, home, env, url);
  }

  /** Starts the server (installing it into the cache on first use) and waits until it is healthy. */
  start(): void {
    this.script('start');
  }

  /** Stops the server (SIGTERM, then SIGKILL after the script's timeout); its data stays. */
  stop(): void {
    this.script('stop');
  }

  /** Stops the server and deletes its data. */
  remove(): void {
    this.script('stop');
    rmSync(this.home, { recursive: true, force: true });
  }

  private script(command: string): void {
    const result = spawnSync('bash', [join(repoRoot(), 'deploy', 'local', `${this.kind}.sh`), command], {
      env: { ...process.env, ...this.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60 * 1000,
    });
    if (result.status !== 0)
      throw new Error(`deploy/local/${this.kind}.sh ${command} failed (${String(result.status)}): ${result.stderr.slice(-2000)}`);
  }
}
