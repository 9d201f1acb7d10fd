import { CPU_PER_REPLICA, measuredCost, pipelineServices, replicaRate, sizeFor } from '../kubernetes/sizing';

/**
 * Prints docs/operations.md's sizing tables (markdown) from the rule in sizing.ts:
 *
 *   node libs/deploy/dist/cli/sizing-table.js [events/s ...]     (default 1000 10000 100000)
 */
const rates = process.argv.slice(2).map(Number);
const targets = rates.length > 0 && rates.every((r) => Number.isFinite(r) && r > 0) ? rates : [1000, 10000, 100000];
const n = (x: number) => x.toLocaleString('en-US');

const lines: string[] = [];
lines.push(
  '| service | CPU per event | events/s per replica (at ' +
    CPU_PER_REPLICA +
    ' cores) | MongoDB commands per event (calls of ~250 / of ~25) |',
);
lines.push('| --- | ---: | ---: | ---: |');
for (const s of pipelineServices) {
  const c = measuredCost[s];
  lines.push(`| ${s} | ${c.cpuMs} ms | ${n(replicaRate(s))} | ${c.commandsPerEvent} / ${c.commandsPerEventSmallBatches} |`);
}
lines.push('');
lines.push(
  '| events/s | partitions per topic | service | replicas (min / max) | cores requested at min | MongoDB commands/s (large / small batches) |',
);
lines.push('| ---: | ---: | --- | ---: | ---: | ---: |');
for (const rate of targets) {
  const size = sizeFor(rate);
  for (const s of size.services) {
    lines.push(
      `| ${n(rate)} | ${n(size.partitions)} | ${s.service} | ${n(s.minReplicas)} / ${n(s.maxReplicas)} | ${n(s.cores)} | ${n(s.commandsPerSecond[0])} / ${n(s.commandsPerSecond[1])} |`,
    );
  }
  const cores = size.services.reduce((sum, s) => sum + s.cores, 0);
  const large = size.services.reduce((sum, s) => sum + s.commandsPerSecond[0], 0);
  const small = size.services.reduce((sum, s) => sum + s.commandsPerSecond[1], 0);
  lines.push(
    `| ${n(rate)} | | **all five** | | **${n(Math.round(cores * 10) / 10)}** | **${n(large)} / ${n(small)}**; document writes ≥ ${n(size.documentWritesPerSecond)}/s |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
