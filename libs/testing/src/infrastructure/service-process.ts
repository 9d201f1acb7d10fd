import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './servers';

export interface ServiceProcess {
  name: string;
  pid: number;
  url: string;
  /** Its management listener: /health/live, /health/ready, /metrics. */
  managementUrl: string;
  /** The last output of the process, for diagnostics. */
  output: () => string;
  /** null while running; 0 for a clean exit (including Nest's re-raised SIGTERM). */
  exitCode: () => number | null;
  /** SIGTERM, then wait for the graceful exit (the service drains its batch and commits); SIGKILL after the timeout. */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

export interface ServiceProcessOptions {
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Where a built service lives. */
export function serviceEntryPoint(name: string): string {
  return join(repoRoot(), 'services', name, 'dist', 'main.js');
}

export function serviceIsBuilt(name: string): boolean {
  return existsSync(serviceEntryPoint(name));
}

const outputLimit = 64 * 1024;

/**
 * Runs a built service (services/<name>/dist/main.js) as its own process, as in production, and
 * waits until /health/ready (on its management listener) answers 200. Used by the end-to-end tests and the benchmark.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  // A port found free can be taken before the child binds it (another process, or the local end
  // of an outgoing connection on a busy machine): the child then exits with EADDRINUSE, and is
  // started again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(name, env, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

const PORT_ATTEMPTS = 3;

class PortTakenError extends Error {}

async function startOnFreePorts(name: string, env: Record<string, string>, options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const managementPort = await freePort();
  for (const arg of options.nodeArgs ?? []) {
    const dir = /^--cpu-prof-dir=(.+)$/.exec(arg)?.[1];
    if (dir) mkdirSync(dir, { recursive: true });
  }
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), serviceEntryPoint(name)], {
    cwd: repoRoot(),
    env: {
      ...process.env,
      ...env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      MANAGEMENT_PORT: String(managementPort),
      MANAGEMENT_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-outputLimit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Nest's shutdown hooks re-raise the signal after a clean close, so "killed by SIGTERM" is the
  // graceful ending; report it as 0 and anything else (a timeout exits 1, SIGKILL) as itself.
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal === 'SIGTERM' ? 0 : code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  const url = `http://127.0.0.1:${port}`;
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 90000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `${name} exited with ${child.exitCode}:\n${output.slice(-3000)}`;
      throw output.includes('EADDRINUSE') ? new PortTakenError(message) : new Error(message);
    }
    try {
      if ((await fetch(`${managementUrl}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after ${readyTimeoutMs} ms:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    pid,
    url,
    managementUrl,
    output: () => output,
    exitCode: () => (child.signalCode === 'SIGTERM' ? 0 : child.exitCode),
    stop: async (timeoutMs = 30000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.signalCode === 'SIGTERM' ? 0 : child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
