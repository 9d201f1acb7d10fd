import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@o2o/testing';
import { ChaosResult, runChaos } from '../chaos/chaos-run';
import { loadChaosConfig } from '../config/chaos.config';

/**
 * `npm run chaos` (through deploy/local/chaos.sh, which starts servers of its own): the fault
 * scenarios under steady load, each checked from the topics for lost, duplicated and
 * dead-lettered effects. Exit status 1 when a scenario fails. CHAOS_SHORT=true (CI) runs a short
 * form; CHAOS_SCENARIOS=a,b picks scenarios.
 */
async function main(): Promise<void> {
  const config = loadChaosConfig();
  const log = (line: string): void => void process.stdout.write(`chaos: ${line}\n`);
  const result = await runChaos(config, log);
  const dir = config.CHAOS_RESULTS_DIR ?? join(repoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-${result.startedAt.replace(/[:.]/g, '-')}-${result.runId}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${table(result)}\n\nresults: ${file}\n`);
  const passed = result.scenarios.filter((s) => s.ok).length;
  process.stdout.write(`chaos: ${passed} passed, ${result.scenarios.length - passed} failed\n`);
  process.exit(result.ok ? 0 : 1);
}

function table(result: ChaosResult): string {
  const rows = [
    '| scenario | fault | load | accepted | refused | lost | duplicated | dead-lettered (fault / poison) | recovery | result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.scenarios.map(
      (s) =>
        `| ${s.scenario} | ${s.fault} | ${s.load} | ${s.accepted} | ${s.refused} | ${s.lost} | ${s.duplicated} | ${s.transientDeadLetters} / ${s.poisonDeadLetters} | ${s.recoverySeconds === null ? 'n/a' : `${s.recoverySeconds} s`} | ${s.ok ? 'pass' : 'FAIL'} |`,
    ),
  ];
  const notes = result.scenarios.flatMap((s) => s.notes.map((n) => `- ${s.scenario}: ${n}`));
  return [...rows, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
