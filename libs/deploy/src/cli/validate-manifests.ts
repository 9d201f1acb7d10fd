import { readFileSync } from 'node:fs';
import { parseManifests, validateManifests } from '../kubernetes/manifest-validator';

/**
 * Validates rendered Kubernetes manifests (helm template's output) against the Kubernetes and
 * KEDA schemas and the platform's rules:
 *
 *   helm template ... | node libs/deploy/dist/cli/validate-manifests.js [--label NAME]
 *   node libs/deploy/dist/cli/validate-manifests.js rendered.yaml [more.yaml ...]
 *
 * Prints one line per problem and exits 1 when there is any, 0 otherwise.
 */
async function main(argv: string[]): Promise<number> {
  let label: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--label') label = argv[++i];
    else files.push(arg);
  }
  const inputs =
    files.length > 0
      ? files.map((f) => ({ name: files.length === 1 && label !== undefined ? label : f, text: readFileSync(f, 'utf8') }))
      : [{ name: label ?? 'stdin', text: readFileSync(0, 'utf8') }];
  let failed = false;
  for (const { name, text } of inputs) {
    const count = parseManifests(text).objects.length;
    const problems = await validateManifests(text);
    if (count === 0) {
      failed = true;
      process.stderr.write(`${name}: no objects to validate\n`);
      continue;
    }
    for (const p of problems) process.stderr.write(`${name}: ${p.object}: ${p.message}\n`);
    if (problems.length > 0) failed = true;
    process.stdout.write(`${name}: ${count} objects, ${problems.length} problems\n`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`validate-manifests: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
