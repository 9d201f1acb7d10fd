import { parseArgs } from 'node:util';

/** What `npm run bench:identity -- …` accepts (parsed with node:util parseArgs; an unknown option is an error). */
export interface BenchIdentityOptions {
  readonly sets?: string[];
  readonly variants: Array<'plain' | 'nid'>;
  readonly onlineSets: string[];
  readonly offline: boolean;
  readonly splink: boolean;
  readonly order: boolean;
  readonly concurrency: number;
  readonly dataDir?: string;
}

export type BenchIdentityCommand =
  { readonly kind: 'help'; readonly text: string } | { readonly kind: 'run'; readonly options: BenchIdentityOptions };

/** A command line the benchmark cannot run: the caller prints it with the usage and exits 2. */
export class BenchUsageError extends Error {}

export const BENCH_IDENTITY_USAGE = `Usage: npm run bench:identity -- [options]

Resolves the FEBRL truth sets offline (the resolver in memory), with Splink, and through the running stack, and prints
pairwise precision / recall / F1 for each (results in bench-results/identity-<run>.json).

Options:
  --sets LIST            sets to run, comma-separated (default: every set found: febrl1,febrl2,febrl3,febrl4 and --data-dir's)
  --variants LIST        plain (without the national id) and/or nid (with it) (default: plain,nid)
  --online-sets LIST     sets also resolved through the stack (default: febrl1,febrl2)
  --no-online            no pass through the stack
  --no-offline           no offline pass (the stack and Splink only)
  --no-splink            no Splink pass
  --no-order             no shuffled-order pass (order independence check)
  --concurrency N        identify calls in flight in the stack's pass, a whole number ≥ 1 (default: 1)
  --data-dir DIR         more FEBRL-format files (default: ../shared/benchmarks/identity/febrl from the repository, when present)
  -h, --help             print this and exit
`;

const LIST = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export function parseBenchIdentityArguments(argv: readonly string[]): BenchIdentityCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        sets: { type: 'string' },
        variants: { type: 'string' },
        'online-sets': { type: 'string' },
        'no-online': { type: 'boolean' },
        'no-offline': { type: 'boolean' },
        'no-splink': { type: 'boolean' },
        'no-order': { type: 'boolean' },
        concurrency: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help', text: BENCH_IDENTITY_USAGE };
  const variants = LIST(values.variants) ?? ['plain', 'nid'];
  const unknown = variants.filter((v) => v !== 'plain' && v !== 'nid');
  if (unknown.length > 0) throw new BenchUsageError(`--variants takes plain and/or nid, not ${unknown.join(', ')}`);
  const concurrency = Number(values.concurrency ?? '1');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new BenchUsageError(`--concurrency must be a whole number of at least 1, not ${values.concurrency ?? ''}`);
  const sets = LIST(values.sets);
  return {
    kind: 'run',
    options: {
      ...(sets !== undefined ? { sets } : {}),
      variants: variants as Array<'plain' | 'nid'>,
      onlineSets: values['no-online'] === true ? [] : (LIST(values['online-sets']) ?? ['febrl1', 'febrl2']),
      offline: values['no-offline'] !== true,
      splink: values['no-splink'] !== true,
      order: values['no-order'] !== true,
      concurrency,
      ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    },
  };
}
