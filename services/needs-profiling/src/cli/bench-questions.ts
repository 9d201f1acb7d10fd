/**
 * The question-priority benchmark (`npm run bench:questions`): offline, through needs profiling's
 * own code (simulation/question-priority.simulation.ts), a channel that can put only so many
 * questions a week asks the customers whose published next question is worth most, with the
 * question's value weighed by the customer's value (this change) or not (before). Prints, per
 * value segment, the share of customers whose needs profile is complete after the horizon, and
 * the share of tier A customers complete week by week.
 *
 *   node services/needs-profiling/dist/cli/bench-questions.js [--customers 5000] [--weeks 12] [--capacity 0.1] [--seed 42]
 *
 * Exits 1 when the value-weighted ranking does not complete more tier A profiles than the unweighted one.
 */
import { parseArgs } from 'node:util';
import { defaultProfilingConfig } from '../profiling/domain/profiling-config';
import { simulateQuestions, type PolicyResult } from '../simulation/question-priority.simulation';

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function table(results: readonly PolicyResult[]): string {
  const segments = results[0]?.segments.map((s) => s.segment) ?? [];
  const head = ['segment', 'customers', ...results.flatMap((r) => [`complete (${r.policy})`, `questions asked (${r.policy})`])];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rows = segments.map((segment) => {
    const cells = results.flatMap((r) => {
      const s = r.segments.find((x) => x.segment === segment);
      return s === undefined ? ['n/a', 'n/a'] : [pct(s.complete / Math.max(1, s.customers)), String(s.questionsAsked)];
    });
    return [segment, String(results[0]?.segments.find((x) => x.segment === segment)?.customers ?? 0), ...cells];
  });
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '5000' },
      weeks: { type: 'string', default: '12' },
      capacity: { type: 'string', default: '0.1' },
      seed: { type: 'string', default: '42' },
    },
  });
  const options = {
    customers: Number(values.customers),
    weeks: Number(values.weeks),
    weeklyCapacityShare: Number(values.capacity),
    seed: Number(values.seed),
  };
  const started = process.hrtime.bigint();
  const results = simulateQuestions(options, defaultProfilingConfig);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `question priority by customer value: ${options.customers} customers, ${options.weeks} weeks, ${pct(options.weeklyCapacityShare)} of them askable a week, seed ${options.seed} (${seconds.toFixed(1)} s)\n`,
  );
  console.log(table(results));
  console.log('\ntier A complete, week by week:');
  for (const r of results) console.log(`  ${r.policy.padEnd(15)} ${r.weeklyTierAComplete.map(pct).join('  ')}`);
  const share = (r: PolicyResult | undefined) => {
    const a = r?.segments.find((s) => s.segment === 'A');
    return a === undefined ? 0 : a.complete / Math.max(1, a.customers);
  };
  const weighted = share(results.find((r) => r.policy === 'value-weighted'));
  const unweighted = share(results.find((r) => r.policy === 'unweighted'));
  console.log(
    `\ncheck: tier A complete ${pct(weighted)} value-weighted vs ${pct(unweighted)} unweighted: ${weighted > unweighted ? 'pass' : 'FAIL'}`,
  );
  if (!(weighted > unweighted)) process.exitCode = 1;
}

main();
