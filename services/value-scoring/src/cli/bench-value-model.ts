/**
 * Our BG/NBD and Gamma-Gamma fit beside the reference open implementation (lifetimes, in a Python
 * virtual environment made by services/value-scoring/bench/setup.sh) on the same summaries: by
 * default the public CDNOW sample that lifetimes ships (2,357 customers, weeks), or a summaries
 * CSV of our own, or the demo's imported order history (`--demo-history 365`).
 *
 *   npm run bench:value-model [-- --summaries file.csv | --demo-history 365 [--seed 1]]
 *                                [--customers 1,2,18] [--t 39] [--tolerance 0.001]
 *
 * Prints both parameter sets, their relative difference, each side's log-likelihood under our
 * likelihood and, for a few customers, expected purchases in t, P(alive) and expected spend.
 * Exits 1 when a parameter differs by more than the tolerance (relative).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// A benchmark, not service code: it fits the demo's history exactly as the demo sends it, so the
// history lives in the testing lib (as identity's bench-matching uses its population).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { DemoPopulation } from '@o2o/testing';
import {
  BgNbdParams,
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdTotalLogLikelihood,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaConditionalExpectedSpend,
  GammaGammaParams,
  gammaGammaTotalLogLikelihood,
  summariseTransactions,
  Transaction,
} from '../scoring/domain';

interface Summary {
  id: string;
  x: number;
  tx: number;
  T: number;
  mx: number;
}

interface Reference {
  implementation: string;
  customers: number;
  /** null when lifetimes' optimiser gave up (its message in bg_nbd_error). */
  bg_nbd: BgNbdParams | null;
  bg_nbd_error: string | null;
  bg_nbd_log_likelihood: number | null;
  /** null when lifetimes' optimiser gave up (its message in gamma_gamma_error). */
  gamma_gamma: GammaGammaParams | null;
  gamma_gamma_error: string | null;
  gamma_gamma_log_likelihood: number | null;
  gamma_gamma_customers: number;
  per_customer: Array<{ customer_id: string; expected_purchases: number | null; p_alive: number | null; expected_spend: number | null }>;
}

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

function readSummaries(file: string): Summary[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = (header ?? '').split(',');
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${file}: no ${name} column`);
    return index;
  };
  const [id, x, tx, T, mx] = [at('customer_id'), at('frequency'), at('recency'), at('T'), at('monetary_value')];
  return lines.map((line) => {
    const fields = line.split(',');
    return { id: fields[id] ?? '', x: Number(fields[x]), tx: Number(fields[tx]), T: Number(fields[T]), mx: Number(fields[mx]) };
  });
}

/** The demo's history as value-scoring summarises it: weeks, one purchase per UTC day, the import's end as now. */
function demoSummaries(days: number, seed: number): Summary[] {
  const now = new Date();
  const history = new DemoPopulation(500, seed).history(days, { seed, now: now.getTime() });
  const transactions: Transaction[] = [];
  for (const { message } of history) {
    if (message['type'] !== 'track' || message['event'] !== 'Order Completed') continue;
    const properties = message['properties'] as { revenue: number };
    transactions.push({ customerId: String(message['userId']), at: new Date(String(message['timestamp'])), amount: properties.revenue });
  }
  return summariseTransactions(transactions, { calibrationEnd: now }).map((s) => ({
    id: s.customerId,
    x: s.x,
    tx: s.tx,
    T: s.T,
    mx: s.mx,
  }));
}

function writeSummaries(file: string, summaries: readonly Summary[]): void {
  const rows = summaries.map((s) => [s.id, s.x, s.tx, s.T, s.mx].join(','));
  writeFileSync(file, `customer_id,frequency,recency,T,monetary_value\n${rows.join('\n')}\n`);
}

const fmt = (value: number, digits = 6): string => (Number.isFinite(value) ? value.toPrecision(digits) : String(value));

function main(argv: readonly string[]): void {
  const root = resolve(__dirname, '../../../..');
  const bench = join(root, 'services/value-scoring/bench');
  const setup = execFileSync('bash', [join(bench, 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const python = /^PYTHON=(.*)$/m.exec(setup)?.[1];
  if (!python) throw new Error('bench setup did not name its python');
  const script = join(bench, 'lifetimes/reference_fit.py');
  const tolerance = Number(option(argv, '--tolerance') ?? '0.001');
  const t = Number(option(argv, '--t') ?? '39');

  const scratch = mkdtempSync(join(tmpdir(), 'bench-value-model-'));
  let file = option(argv, '--summaries');
  let source = file ?? '';
  const historyDays = option(argv, '--demo-history');
  if (historyDays !== undefined) {
    const seed = Number(option(argv, '--seed') ?? '1');
    file = join(scratch, 'demo.csv');
    writeSummaries(file, demoSummaries(Number(historyDays), seed));
    source = `the demo's ${historyDays}-day history (seed ${seed}, 500 people)`;
  } else if (file === undefined) {
    file = join(scratch, 'cdnow.csv');
    execFileSync(python, [script, '--export', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    source = "lifetimes' CDNOW sample";
  }
  const summaries = readSummaries(file);
  const chosen =
    option(argv, '--customers')?.split(',') ??
    summaries
      .filter((_, i) => i % Math.max(1, Math.floor(summaries.length / 5)) === 0)
      .slice(0, 5)
      .map((s) => s.id);

  let started = process.hrtime.bigint();
  const referenceJson = execFileSync(python, ['-W', 'ignore', script, file, '--customers', chosen.join(','), '--t', String(t)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const referenceSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reference = JSON.parse(referenceJson) as Reference;

  started = process.hrtime.bigint();
  const bgNbd = fitBgNbd(summaries, { standardErrors: false });
  const gammaGamma = fitGammaGamma(summaries, { standardErrors: false });
  const ourSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  console.log(
    `${summaries.length} customers from ${source}; ours ${ourSeconds.toFixed(2)} s, ${reference.implementation} ${referenceSeconds.toFixed(2)} s (incl. Python start)`,
  );
  let worst = 0;
  const rows: string[] = [];
  const compare = (model: string, ours: object, theirs: object): void => {
    for (const [name, value] of Object.entries(ours as Record<string, number>)) {
      const other = (theirs as Record<string, number>)[name] ?? Number.NaN;
      const difference = Math.abs(value - other) / Math.abs(other);
      worst = Math.max(worst, Number.isFinite(difference) ? difference : Number.POSITIVE_INFINITY);
      rows.push(
        `${model.padEnd(12)} ${name.padEnd(6)} ${fmt(value).padStart(12)} ${fmt(other).padStart(12)} ${difference.toExponential(1).padStart(10)}`,
      );
    }
  };
  const referencePurchases = reference.bg_nbd;
  if (referencePurchases) compare('BG/NBD', bgNbd.params, referencePurchases);
  else
    rows.push(
      `${'BG/NBD'.padEnd(12)} ${Object.entries(bgNbd.params)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' ')}; lifetimes did not fit: ${reference.bg_nbd_error ?? 'no reason given'}`,
    );
  if (reference.gamma_gamma) compare('Gamma-Gamma', gammaGamma.params, reference.gamma_gamma);
  else
    rows.push(
      `${'Gamma-Gamma'.padEnd(12)} ${Object.entries(gammaGamma.params)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' ')}; lifetimes did not fit: ${reference.gamma_gamma_error ?? 'no reason given'}`,
    );
  console.log(`${'model'.padEnd(12)} ${'param'.padEnd(6)} ${'ours'.padStart(12)} ${'lifetimes'.padStart(12)} ${'rel.diff'.padStart(10)}`);
  console.log(rows.join('\n'));
  console.log(
    `log-likelihood BG/NBD: ours ${fmt(bgNbd.logLikelihood, 10)}` +
      (referencePurchases
        ? `, lifetimes' parameters ${fmt(bgNbdTotalLogLikelihood(referencePurchases, summaries), 10)} (lifetimes' own function: ${fmt(reference.bg_nbd_log_likelihood ?? Number.NaN, 10)})`
        : ''),
  );
  const referenceSpend = reference.gamma_gamma;
  console.log(
    `log-likelihood Gamma-Gamma (${gammaGamma.customers} customers): ours ${fmt(gammaGamma.logLikelihood, 10)}` +
      (referenceSpend
        ? `, lifetimes' parameters ${fmt(gammaGammaTotalLogLikelihood(referenceSpend, summaries), 10)} (lifetimes' own: ${fmt(reference.gamma_gamma_log_likelihood ?? Number.NaN, 10)})`
        : ''),
  );
  console.log(
    `\ncustomer      x      t_x        T   E[purchases in ${t}] ours / lifetimes   P(alive) ours / lifetimes   E[spend] ours / lifetimes`,
  );
  for (const row of reference.per_customer) {
    const s = summaries.find((c) => c.id === row.customer_id);
    if (!s) continue;
    const spend = s.x > 0 && s.mx > 0 ? fmt(gammaGammaConditionalExpectedSpend(gammaGamma.params, s)) : 'n/a';
    console.log(
      `${s.id.padEnd(10)} ${String(s.x).padStart(4)} ${fmt(s.tx, 4).padStart(8)} ${fmt(s.T, 4).padStart(8)}   ${fmt(bgNbdConditionalExpectedPurchases(bgNbd.params, s, t))} / ${row.expected_purchases === null ? 'n/a' : fmt(row.expected_purchases)}   ${fmt(bgNbdProbabilityAlive(bgNbd.params, s))} / ${row.p_alive === null ? 'n/a' : fmt(row.p_alive)}   ${spend} / ${row.expected_spend === null ? 'n/a' : fmt(row.expected_spend)}`,
    );
  }
  console.log(`\nlargest relative parameter difference ${worst.toExponential(1)} (tolerance ${tolerance})`);
  if (!(worst <= tolerance)) process.exitCode = 1;
}

main(process.argv.slice(2));
