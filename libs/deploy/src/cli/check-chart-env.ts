import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseManifests } from '../kubernetes/manifest-validator';

/**
 * Boots nothing, but runs each service's own configuration loader (its zod schema and the
 * production checks of libs/config) on the environment the chart gives its container, so a
 * chart that sets a variable a service refuses, or forgets one production requires, fails here
 * rather than in a pod's crash loop:
 *
 *   node libs/deploy/dist/cli/check-chart-env.js rendered.yaml
 *
 * Values read from Secrets are replaced by well-formed stand-ins (the chart never holds them).
 * Needs the services built (`npm run build`): like the benchmarks, it drives the built services
 * rather than importing them. Exits 1 when a service refuses its environment.
 */

const root = resolve(__dirname, '../../../..');

/** Well-formed stand-ins for the Secret's keys (values.yaml, "secrets"). */
function secretStandIn(key: string): string {
  switch (key) {
    case 'mongo-url':
      return 'mongodb://o2o:stand-in@mongo.example.internal:27017/?authSource=admin';
    case 'redis-url':
      return 'rediss://:stand-in@redis.example.internal:6379';
    case 'data-keys-master-key':
      return randomBytes(32).toString('base64');
    default:
      return `stand-in-${key}-${randomBytes(8).toString('hex')}`;
  }
}

interface EnvEntry {
  name?: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { key?: string } };
}

function loaderName(service: string): string {
  return `load${service.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase())}Config`;
}

function main(files: string[]): number {
  let failed = 0;
  let checked = 0;
  for (const path of files) {
    const file = basename(path);
    const { objects } = parseManifests(readFileSync(path, 'utf8'));
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const containers =
        (d.spec as { template?: { spec?: { containers?: Array<{ name?: string; env?: EnvEntry[] }> } } } | undefined)?.template?.spec
          ?.containers ?? [];
      for (const c of containers) {
        const service = c.name ?? '?';
        const module = join(root, 'services', service, 'dist', 'config', `${service}.config.js`);
        if (!existsSync(module)) {
          process.stderr.write(`${file}: ${service}: ${module} not built (npm run build)\n`);
          failed++;
          continue;
        }
        const env: Record<string, string> = {};
        for (const e of c.env ?? []) {
          if (!e.name) continue;
          const key = e.valueFrom?.secretKeyRef?.key;
          env[e.name] = key !== undefined ? secretStandIn(key) : (e.value ?? '');
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built service, chosen at run time
        const loaded = require(module) as Record<string, unknown>;
        const load = loaded[loaderName(service)];
        if (typeof load !== 'function') {
          process.stderr.write(`${file}: ${service}: ${module} has no ${loaderName(service)}\n`);
          failed++;
          continue;
        }
        checked++;
        try {
          (load as (env: Record<string, string>) => unknown)(env);
        } catch (error) {
          failed++;
          process.stderr.write(
            `${file}: ${service} refuses the chart's environment: ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }
      }
    }
  }
  process.stdout.write(`${files.map((f) => basename(f)).join(', ')}: ${checked} services' environments loaded, ${failed} refused\n`);
  return failed > 0 || checked === 0 ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
