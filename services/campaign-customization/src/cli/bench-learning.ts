/**
 * The learning benchmark (`npm run bench:learning`): offline, through the platform's own decision
 * code (simulation/learning.simulation.ts), a seeded population with hidden needs is offered
 * products over simulated weeks under learned arbitration (Thompson sampling on outcomes),
 * priority-only arbitration, random choice, and the holdout. Prints a table and the done-when
 * checks, and writes a chart of weekly acceptance rates as SVG (vega-lite, rendered in node).
 *
 *   node services/campaign-customization/dist/cli/bench-learning.js [--customers 4000] [--weeks 12] [--seed 42] [--svg docs/images/bench-learning.svg]
 *
 * Exits 1 when a done-when check fails.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { holdoutFigures, simulate, strategies, type StrategyResult } from '../simulation/learning.simulation';

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

function table(results: readonly StrategyResult[]): string {
  const rows = results.map((r) => [
    r.strategy,
    String(r.offers),
    String(r.accepted),
    r.strategy === 'holdout' ? 'n/a' : pct(r.acceptanceRate),
    r.revenuePerContacted.toFixed(2),
    r.contactsPerConversion === null ? 'n/a' : r.contactsPerConversion.toFixed(2),
    r.strategy === 'holdout' ? `${r.control.converted}/${r.control.exposed}` : `${r.treated.converted}/${r.treated.exposed}`,
  ]);
  const head = [
    'strategy',
    'offers',
    'accepted',
    'acceptance rate',
    'revenue per contacted customer',
    'contacts per conversion',
    'converted customers',
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

async function svgChart(results: readonly StrategyResult[]): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const values = results.flatMap((r) =>
    r.weekly.map((w) => ({ strategy: r.strategy, week: w.week, acceptance: w.offers > 0 ? w.accepted / w.offers : 0 })),
  );
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Weekly acceptance rate of offers (learning benchmark)',
    width: 560,
    height: 300,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'quantitative', title: 'simulated week', axis: { tickMinStep: 1 } },
      y: { field: 'acceptance', type: 'quantitative', title: 'accepted / offers', axis: { format: '%' } },
      color: { field: 'strategy', type: 'nominal', title: 'arbitration' },
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  return view.toSVG();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '4000' },
      weeks: { type: 'string', default: '12' },
      seed: { type: 'string', default: '42' },
      svg: { type: 'string', default: 'docs/images/bench-learning.svg' },
    },
  });
  const options = { customers: Number(values.customers), weeks: Number(values.weeks), seed: Number(values.seed) };
  if (![options.customers, options.weeks, options.seed].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--customers, --weeks and --seed are positive whole numbers');
  const started = Date.now();
  const runs = strategies.map((s) => simulate(s, options));
  const learned = runs.find((r) => r.strategy === 'learned');
  const priority = runs.find((r) => r.strategy === 'priority');
  if (learned === undefined || priority === undefined) throw new Error('missing run');
  const results = [...runs, holdoutFigures(learned)];
  console.log(
    `learning benchmark: ${options.customers} customers, ${options.weeks} weeks, seed ${options.seed} (offline, the service's decision code; ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  console.log(table(results));
  const lift = learned.lift;
  const ratio = priority.acceptanceRate > 0 ? learned.acceptanceRate / priority.acceptanceRate : Infinity;
  const violations = runs.reduce((sum, r) => sum + r.violations.capBroken + r.violations.consentBroken + r.violations.holdoutContacted, 0);
  const checks = [
    { check: `learned acceptance >= 1.5 x priority-only (${ratio.toFixed(2)} x)`, ok: ratio >= 1.5 },
    {
      check: `holdout untouched (offers to held-out customers: ${runs.reduce((s, r) => s + r.violations.holdoutContacted, 0)})`,
      ok: runs.every((r) => r.violations.holdoutContacted === 0),
    },
    { check: `no cap or consent broken (${violations} violations)`, ok: violations === 0 },
    {
      check: `conversion lift of learned vs holdout ${lift.absoluteLift === null ? 'n/a' : pct(lift.absoluteLift)}, 95 % interval [${lift.absoluteInterval ? `${pct(lift.absoluteInterval.lower)}, ${pct(lift.absoluteInterval.upper)}` : 'n/a'}] excludes zero`,
      ok: lift.significant === true,
    },
  ];
  console.log('');
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.check}`);
  if (values.svg) {
    writeFileSync(values.svg, await svgChart(results.filter((r) => r.strategy !== 'holdout')));
    console.log(`\nchart: ${values.svg}`);
  }
  if (!checks.every((c) => c.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
