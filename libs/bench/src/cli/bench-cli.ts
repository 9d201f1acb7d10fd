import { ConfigError } from '@o2o/config';
import { BenchConfig, BenchFlagError, benchUsage, loadBenchConfig } from '../config/bench.config';

/**
 * The command line of a bench CLI: `--help` prints the flags and exits 0; a flag or value it
 * cannot take is named in one line and exits 2 (no stack trace: the command line is wrong, not
 * the harness); a failure of the run itself prints its stack and exits 1.
 */
export function runBenchCli(name: string, summary: string, main: (config: BenchConfig) => Promise<void>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${name}: ${summary}\n\n${benchUsage()}`);
    process.exit(0);
  }
  let config: BenchConfig;
  try {
    config = loadBenchConfig(argv);
  } catch (error) {
    if (!(error instanceof BenchFlagError || error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(2);
  }
  main(config).catch((error: unknown) => {
    process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
