/**
 * Fits BG/NBD + Gamma-Gamma (and optionally Pareto/NBD) on a transactions file and prints the
 * parameters, log-likelihoods and per-customer holdout predictions, so results can be set
 * against published studies (e.g. the CDNOW sample with a 39-week calibration period).
 *
 *   node services/value-scoring/dist/cli/fit-transactions.js transactions.csv \
 *     --calibration-end 1997-09-30 --holdout-end 1998-06-30 [--time-unit weeks|days]
 *     [--granularity day|exact] [--pareto] [--horizon-years 3] [--discount-rate 0.1]
 *
 * Input: `customer_id,date,amount` (header optional; dates YYYY-MM-DD, YYYYMMDD or ISO
 * timestamps). The whitespace-separated CDNOW master file (id date quantity amount) is read
 * too. Output on stdout: `#` comment lines with the fitted models, then a CSV with one row per
 * customer; `grep -v '^#'` leaves plain CSV.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  BgNbdParams,
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
  CustomerSummary,
  customerValue,
  elapsedUnits,
  fitBgNbd,
  fitGammaGamma,
  fitParetoNbd,
  gammaGammaConditionalExpectedSpend,
  GammaGammaParams,
  ParetoNbdParams,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdProbabilityAlive,
  summariseTransactions,
  Transaction,
} from '../scoring/domain';

interface Arguments {
  file: string;
  calibrationEnd: Date;
  holdoutEnd?: Date;
  timeUnitDays: number;
  granularity: 'day' | 'exact';
  pareto: boolean;
  horizonYears: number;
  discountRate: number;
}

class UsageError extends Error {}

const USAGE =
  'usage: fit-transactions <file.csv> --calibration-end YYYY-MM-DD [--holdout-end YYYY-MM-DD] [--time-unit weeks|days] [--granularity day|exact] [--pareto] [--horizon-years 3] [--discount-rate 0.1]';

function parseArguments(argv: readonly string[]): Arguments {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--pareto' || arg === '--help') flags.add(arg);
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      options.set(name, value);
    } else positional.push(arg);
  }
  if (flags.has('--help')) throw new UsageError('');
  const file = positional[0];
  if (!file) throw new UsageError('missing the transactions file');
  const calibrationEnd = parseDate(options.get('--calibration-end') ?? '');
  if (!calibrationEnd) throw new UsageError('--calibration-end YYYY-MM-DD is required');
  const holdoutOption = options.get('--holdout-end');
  const holdoutEnd = holdoutOption === undefined ? undefined : parseDate(holdoutOption);
  if (holdoutOption !== undefined && !holdoutEnd) throw new UsageError(`bad --holdout-end ${holdoutOption}`);
  const unit = options.get('--time-unit') ?? 'weeks';
  if (unit !== 'weeks' && unit !== 'days') throw new UsageError('--time-unit must be weeks or days');
  const granularity = options.get('--granularity') ?? 'day';
  if (granularity !== 'day' && granularity !== 'exact') throw new UsageError('--granularity must be day or exact');
  const horizonYears = Number(options.get('--horizon-years') ?? '3');
  const discountRate = Number(options.get('--discount-rate') ?? '0.1');
  if (!(horizonYears > 0)) throw new UsageError('--horizon-years must be positive');
  if (!(discountRate > -1)) throw new UsageError('--discount-rate must be > -1');
  return {
    file,
    calibrationEnd,
    ...(holdoutEnd ? { holdoutEnd } : {}),
    timeUnitDays: unit === 'weeks' ? 7 : 1,
    granularity,
    pareto: flags.has('--pareto'),
    horizonYears,
    discountRate,
  };
}

/** YYYY-MM-DD, YYYYMMDD (CDNOW) or a full ISO timestamp; dates alone are UTC midnights. */
function parseDate(text: string): Date | undefined {
  const trimmed = text.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  const iso = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : trimmed;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Splits one CSV line, honouring double quotes (RFC 4180) without pulling in a parser. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.map((f) => f.trim());
}

async function readTransactions(file: string): Promise<Transaction[]> {
  const transactions: Transaction[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let columns = { id: 0, date: 1, amount: 2 };
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.includes(',') ? splitCsvLine(line) : line.split(/\s+/);
    // CDNOW master file: id, date, number of CDs, dollar amount.
    if (!line.includes(',') && fields.length === 4) columns = { id: 0, date: 1, amount: 3 };
    const date = parseDate(fields[columns.date] ?? '');
    if (!date) {
      if (lineNumber === 1) {
        const names = fields.map((f) => f.toLowerCase());
        const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
        const id = find('customer_id', 'customer', 'id', 'cust');
        const dateColumn = find('date', 'order_date', 'timestamp');
        const amount = find('amount', 'sales', 'value', 'revenue');
        if (id >= 0 && dateColumn >= 0 && amount >= 0) columns = { id, date: dateColumn, amount };
        continue;
      }
      throw new UsageError(`line ${lineNumber}: cannot read a date in "${raw}"`);
    }
    const amount = Number(fields[columns.amount]);
    const customerId = fields[columns.id];
    if (!customerId || !Number.isFinite(amount)) throw new UsageError(`line ${lineNumber}: bad customer id or amount in "${raw}"`);
    transactions.push({ customerId, at: date, amount });
  }
  return transactions;
}

function format(value: number, digits = 6): string {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)).toString() : '';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function describe(params: BgNbdParams | GammaGammaParams | ParetoNbdParams, se: object | undefined): string {
  const errors = (se ?? {}) as Record<string, number>;
  return Object.entries(params)
    .map(([name, value]) => `${name}=${format(value)}${errors[name] === undefined ? '' : ` (se ${format(errors[name], 3)})`}`)
    .join(' ');
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArguments(argv);
  const transactions = await readTransactions(args.file);
  const summaryOptions = { calibrationEnd: args.calibrationEnd, timeUnitDays: args.timeUnitDays, granularity: args.granularity } as const;
  const summaries: CustomerSummary[] = summariseTransactions(transactions, {
    ...summaryOptions,
    ...(args.holdoutEnd ? { holdoutEnd: args.holdoutEnd } : {}),
  });
  if (summaries.length === 0) throw new UsageError('no customer has a purchase on or before the calibration end');
  const unitName = args.timeUnitDays === 7 ? 'weeks' : 'days';
  const timeUnitsPerYear = 365.25 / args.timeUnitDays;
  // Without a holdout we still predict something comparable: the next year.
  const holdoutLength = args.holdoutEnd ? elapsedUnits(args.calibrationEnd, args.holdoutEnd, summaryOptions) : timeUnitsPerYear;

  const started = Date.now();
  const bgNbd = fitBgNbd(summaries);
  const gammaGamma = fitGammaGamma(summaries);
  const pareto = args.pareto ? fitParetoNbd(summaries) : undefined;
  const seconds = (Date.now() - started) / 1000;

  const out: string[] = [];
  out.push(
    `# customers=${summaries.length} transactions=${transactions.length} time_unit=${unitName} holdout_length=${format(holdoutLength)} ${unitName} fit_seconds=${format(seconds, 3)}`,
  );
  out.push(
    `# bg_nbd ${describe(bgNbd.params, bgNbd.standardErrors)} log_likelihood=${format(bgNbd.logLikelihood, 10)} converged=${bgNbd.converged}`,
  );
  out.push(
    `# gamma_gamma ${describe(gammaGamma.params, gammaGamma.standardErrors)} log_likelihood=${format(gammaGamma.logLikelihood, 10)} customers=${gammaGamma.customers} converged=${gammaGamma.converged}`,
  );
  if (pareto)
    out.push(
      `# pareto_nbd ${describe(pareto.params, pareto.standardErrors)} log_likelihood=${format(pareto.logLikelihood, 10)} converged=${pareto.converged}`,
    );
  const header = [
    'customer_id',
    'x',
    't_x',
    'T',
    'm_x',
    'p_alive',
    'expected_holdout_purchases',
    'actual_holdout_purchases',
    'expected_spend',
    'actual_holdout_spend',
    `clv_${args.horizonYears}y`,
  ];
  if (pareto) header.push('pareto_p_alive', 'pareto_expected_holdout_purchases');
  out.push(header.join(','));
  process.stdout.write(`${out.join('\n')}\n`);

  const valueModel = { purchases: { model: 'bg-nbd' as const, params: bgNbd.params }, spend: gammaGamma.params };
  let totalExpected = 0;
  let totalActual = 0;
  let buffer: string[] = [];
  for (const s of summaries) {
    const expected = bgNbdConditionalExpectedPurchases(bgNbd.params, s, holdoutLength);
    totalExpected += expected;
    totalActual += s.holdoutPurchases;
    const value = customerValue(valueModel, s, {
      timeUnitsPerYear,
      horizonYears: args.horizonYears,
      annualDiscountRate: args.discountRate,
    });
    const row = [
      csvField(s.customerId),
      String(s.x),
      format(s.tx),
      format(s.T),
      format(s.mx),
      format(bgNbdProbabilityAlive(bgNbd.params, s)),
      format(expected),
      args.holdoutEnd ? String(s.holdoutPurchases) : '',
      format(gammaGammaConditionalExpectedSpend(gammaGamma.params, s)),
      args.holdoutEnd ? format(s.holdoutSpend) : '',
      format(value.actualValue),
    ];
    if (pareto)
      row.push(
        format(paretoNbdProbabilityAlive(pareto.params, s)),
        format(paretoNbdConditionalExpectedPurchases(pareto.params, s, holdoutLength)),
      );
    buffer.push(row.join(','));
    if (buffer.length >= 10_000) {
      process.stdout.write(`${buffer.join('\n')}\n`);
      buffer = [];
    }
  }
  if (buffer.length > 0) process.stdout.write(`${buffer.join('\n')}\n`);
  if (args.holdoutEnd) process.stderr.write(`holdout purchases: expected ${format(totalExpected)}, actual ${totalActual}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
