import { Distribution } from '../analysis/stats';
import type { PerEventCost } from '../analysis/cost-per-event';
import { BenchResult, PhaseCost } from '../pipeline/pipeline-bench';

const ms = (d: Distribution): string =>
  d.count === 0 ? 'n/a' : `${String(d.p50)} / ${String(d.p95)} / ${String(d.p99)} ms (n=${d.count})`;
const mib = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** The short table printed at the end of a run (the JSON file has everything). */
export function resultsTable(r: BenchResult): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push('');
  lines.push(`== pipeline benchmark ${r.runId}  ${r.startedAt}  (${r.durationSeconds} s)`);
  lines.push(`machine   ${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB RAM, Node ${m.node}, load avg at start ${m.loadAverageAtStart}`);
  lines.push(
    `servers   Kafka ${m.servers['kafka'] ?? '?'}, FerretDB ${m.servers['ferretdb'] ?? '?'}, Redis ${m.servers['redis'] ?? '?'} (${m.serverOrigin}), ${r.config.BENCH_PARTITIONS} partitions per topic, ${r.config.BENCH_PARTITIONS_CONCURRENCY === undefined ? "services' default" : String(r.config.BENCH_PARTITIONS_CONCURRENCY)} consumed concurrently`,
  );
  lines.push(`stages    ${r.stages.map((s) => `${s.service}: ${s.status}`).join(', ')}`);
  for (const p of r.phases) {
    lines.push('');
    lines.push(
      `-- phase ${p.phase} (${p.mode === 'max' ? `closed loop, ≤${r.config.BENCH_MAX_BACKLOG} in flight` : `${String(p.offeredRate)} events/s offered`}, ${p.seconds} s)`,
    );
    lines.push(
      `  accepted by ingestion     ${p.acceptedPerSecond} events/s   (HTTP /v1/batch p50/p95/p99 ${ms(p.httpRequestMs)}; failed requests ${p.httpFailures.requests})`,
    );
    lines.push(
      `  end to end                ${p.endToEndPerSecond} events/s   (incomplete ${p.incomplete}, drained ${p.drainSeconds === undefined ? 'no' : `${p.drainSeconds} s after the load`})`,
    );
    lines.push(
      `  per stage (committed)     ${Object.entries(p.stageThroughput)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} events/s`,
    );
    lines.push(`  receive -> last stage     ${ms(p.completionMs)}`);
    lines.push(`  receive -> segment change ${ms(p.segmentChangeMs)}`);
    for (const [topic, d] of Object.entries(p.hopLatencyMs)) lines.push(`  receive -> ${topic.padEnd(19)}${ms(d)}`);
    for (const [service, lag] of Object.entries(p.maxLag)) {
      lines.push(`  max lag ${service.padEnd(23)} committed ${JSON.stringify(lag.committed)}  /metrics ${JSON.stringify(lag.reported)}`);
    }
    for (const [service, batches] of Object.entries(p.batches)) {
      const calls = Object.entries(batches).map(([topic, b]) => `${topic} ${b.batches} × ${b.meanSize} msgs in ${b.meanMs} ms`);
      if (calls.length > 0) lines.push(`  batches ${service.padEnd(23)} ${calls.join(', ')}`);
    }
    for (const [service, store] of Object.entries(p.store)) {
      const top = Object.entries(store)
        .slice(0, 5)
        .map(([command, c]) => `${command} ${c.count} × ${c.meanMs} ms`);
      if (top.length > 0) lines.push(`  store   ${service.padEnd(23)} ${top.join(', ')}`);
    }
    for (const [name, u] of Object.entries(p.processes)) {
      if (u)
        lines.push(
          `  ${name.padEnd(24)} ${String(u.cores).padStart(5)} cores  ${String(u.cpuSeconds).padStart(7)} cpu-s  rss ${mib(u.rssBytes)} (peak ${mib(u.peakRssBytes)})`,
        );
    }
    lines.push(...costTable(p.cost));
    const ratio = 'skipped' in r.databaseCeiling ? undefined : r.databaseCeiling.pipelineRatio;
    if (p.mode === 'max' && !('skipped' in r.databaseCeiling) && ratio !== undefined) {
      const db = r.databaseCeiling;
      lines.push(
        db.pipelineEventsPerSecond === 0
          ? `  pipeline at saturation: n/a of the database ceiling (${db.eventsPerSecond} events/s): a stage committed nothing in the phase's second half (phase too short for this machine's load?)`
          : `  pipeline at saturation = ${Math.round(ratio * 1000) / 10} % of the database ceiling (${String(db.pipelineEventsPerSecond)} of ${db.eventsPerSecond} events/s)`,
      );
    }
  }
  lines.push('');
  if ('skipped' in r.ceiling) lines.push(`ceiling   skipped: ${r.ceiling.skipped}`);
  else {
    lines.push(
      `ceiling   no-op chain ${r.ceiling.hops.join(' -> ')}: ${r.ceiling.eventsPerSecond} events/s (bench process ${r.ceiling.benchProcess?.cores ?? '?'} cores)`,
    );
    lines.push(
      `          pipeline at saturation (slowest stage) ${String(r.ceiling.pipelineEventsPerSecond)} events/s = ${r.ceiling.pipelineRatio === undefined ? 'n/a' : `${Math.round(r.ceiling.pipelineRatio * 1000) / 10} %`} of the ceiling`,
    );
  }
  const db = r.databaseCeiling;
  if ('skipped' in db) lines.push(`db ceiling skipped: ${db.skipped}`);
  else {
    lines.push(
      `db ceiling one idempotent upsert per event per stage, all stages at once: ${db.docsPerSecond} docs/s in all = ${db.eventsPerSecond} events/s (slowest stage)`,
    );
    lines.push(
      `          ${db.stages.map((s) => `${s.service} ${s.docsPerSecond} docs/s (batches of ${s.batchSize}, ${s.meanBatchMs} ms each)`).join(', ')}`,
    );
    lines.push(
      `          ${Object.entries(db.processes)
        .flatMap(([name, u]) => (u ? [`${name} ${u.cores} cores`] : []))
        .join(', ')}`,
    );
    lines.push(
      `          pipeline at saturation ${String(db.pipelineEventsPerSecond)} events/s = ${db.pipelineRatio === undefined ? 'n/a' : `${Math.round(db.pipelineRatio * 1000) / 10} %`} of the database ceiling`,
    );
  }
  lines.push('');
  lines.push('correlation (downstream message -> ingested event):');
  for (const c of r.correlation)
    lines.push(
      `  ${c.topic.padEnd(24)} ${c.messages} messages: ${c.byCorrelationId} by correlationid, ${c.byTraceId} by traceparent, ${c.uncorrelated} none`,
    );
  lines.push('');
  lines.push('effects:');
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}  ${JSON.stringify(c.detail)}`);
  for (const [service, profile] of Object.entries(r.profiles)) {
    lines.push('');
    if ('skipped' in profile) lines.push(`profile   ${service}: ${profile.skipped}`);
    else {
      lines.push(
        `profile   ${service} (${profile.window}): ${profile.totalMs} ms sampled, ${profile.idlePercent} % idle; self time of busy time:`,
      );
      for (const f of profile.top.slice(0, 12)) lines.push(`  ${String(f.selfPercent).padStart(5)} %  ${f.function}  ${f.location}`);
      lines.push(
        `  by origin: ${profile.byOrigin
          .slice(0, 10)
          .map((o) => `${o.origin} ${o.selfPercent} %`)
          .join(', ')}`,
      );
    }
  }
  if (r.notes.length > 0) {
    lines.push('');
    lines.push('notes:');
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}

const figure = (value: number | undefined, digits: number): string => (value === undefined ? 'n/a' : value.toFixed(digits));

/** One phase's cost per event per stage, as a fixed-width table. */
export function costTable(cost: PhaseCost): string[] {
  const out: string[] = [];
  out.push(
    `  cost per event, phase start -> ${cost.drained ? 'drained' : 'drain timeout (not drained)'} (${cost.seconds} s; ingestion's CPU over the load only; ${cost.events} events accepted):`,
  );
  if (cost.idleCores)
    out.push(
      `    idle cores before the load (taken off for "net"): ${Object.entries(cost.idleCores)
        .map(([s, c]) => `${s} ${c}`)
        .join(', ')}`,
    );
  out.push(
    `    ${'stage'.padEnd(24)}${'events'.padStart(8)}${'CPU ms'.padStart(9)}${'net'.padStart(8)}${'db cmds'.padStart(9)}${'docs written'.padStart(14)}${'bytes written'.padStart(15)}${'Kafka msgs'.padStart(12)}`,
  );
  const row = (name: string, events: string, c: PerEventCost): string =>
    `    ${name.padEnd(24)}${events.padStart(8)}${figure(c.cpuMsPerEvent, 3).padStart(9)}${figure(c.cpuMsPerEventNetOfIdle, 3).padStart(8)}${figure(c.commandsPerEvent, 3).padStart(9)}${figure(c.documentsWrittenPerEvent, 3).padStart(14)}${figure(c.bytesWrittenPerEvent, 0).padStart(15)}${figure(c.messagesProducedPerEvent, 3).padStart(12)}`;
  for (const [service, c] of Object.entries(cost.stages)) out.push(row(service, String(c.events), c));
  if (Object.keys(cost.stages).length > 1) out.push(row('all stages', '', cost.pipeline));
  return out;
}
