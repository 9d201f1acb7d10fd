import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchConfig } from '../config/bench.config';
import { resultsDirectory, runPipelineBench } from '../pipeline/pipeline-bench';
import { resultsTable } from '../report/results-table';
import { runBenchCli } from './bench-cli';

/**
 * `npm run bench`: the whole pipeline's throughput, latency and cost against a no-op chain of
 * the same Kafka hops. Flags (or BENCH_* variables): --mode=auto|max|rate --rate=200
 * --duration=30 --population=2000 --max-backlog=3000 --partitions=6 --profile=<service>[,<service>]|all --idle-baseline=5
 * --scrape-interval=15 (seconds between /metrics scrapes, as Prometheus)
 * --no-ceiling --keep-topics. Servers from KAFKA_BROKERS/MONGO_URL/REDIS_URL, else deploy/local.
 */
async function main(config: BenchConfig): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`bench: ${line}\n`);
  const result = await runPipelineBench(config, log);
  const file = join(resultsDirectory(), `pipeline-${result.startedAt.replace(/[:.]/g, '-')}-${result.runId}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${resultsTable(result)}\n\nresults: ${file}\n`);
  // A failed effects check is a finding of the run, reported above, not a crash of the harness.
  process.exit(0);
}

runBenchCli('bench', 'the whole pipeline against a no-op chain of the same Kafka hops and the database ceiling', main);
