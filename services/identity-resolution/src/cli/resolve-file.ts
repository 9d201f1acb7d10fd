/**
 * Resolves a file of person records offline with the very resolver the service runs: the same
 * rules, parameters and guards, one record at a time in file order, parameters re-estimated from
 * the records as the service's training job does (unless --no-training), stored records matched
 * again after each estimate. Writes one line per record after the last one is read, with the
 * customer it belongs to then (later merges followed).
 *
 *   node services/identity-resolution/dist/cli/resolve-file.js records.jsonl [--output out.jsonl]
 *        [--parameters parameters.json] [--rules rules.json] [--no-training]
 *
 * Input lines: {"recordId", "source"?, "traits": {...Segment identify traits}, "identifiers"?: {"type": "value"}}
 * Output lines: {"recordId", "customerId"}
 * A line that is not a valid record stops the run with its line number and the reason.
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { compileIdentityRules, matchParametersSchema } from '../matching/domain';
import { argument, flag } from './cli-arguments';
import { IdentityRecord, identityRecordSchema, identifyEventOf } from './identity-record';
import { InMemoryResolution, InMemoryResolutionOptions } from './in-memory-resolution';

export class InvalidRecordError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'InvalidRecordError';
  }
}

/** Parses one input line; the error names the line and the field that is wrong. */
export function parseRecordLine(text: string, line: number): IdentityRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidRecordError(line, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = identityRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidRecordError(
      line,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; '),
    );
  return parsed.data;
}

export interface ResolveFileOptions extends InMemoryResolutionOptions {
  /** Tags the synthetic events, so two runs of one file never share ids. */
  readonly runTag?: string;
}

/** Resolves records as they arrive; the answer per record, followed through later merges. */
export async function resolveStream(
  lines: AsyncIterable<string>,
  options: ResolveFileOptions = {},
): Promise<Array<{ recordId: string; customerId: string }>> {
  const resolution = new InMemoryResolution({ selfTraining: true, ...options });
  const answers: Array<{ recordId: string; customerId: string | undefined; anonymousId: string }> = [];
  const seen = new Set<string>();
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    const record = parseRecordLine(text, line);
    if (seen.has(record.recordId)) throw new InvalidRecordError(line, `recordId: ${record.recordId} appears twice`);
    seen.add(record.recordId);
    const event = identifyEventOf(record, options.runTag ?? 'file');
    answers.push({ recordId: record.recordId, customerId: resolution.resolve(event), anonymousId: String(event.data.anonymousId) });
  }
  // Where each record is now: re-resolution may have moved it (with its identifiers) since it was
  // answered, so its own anonymous id says, as the service's lookup does; else the answer, merges
  // followed. A record with no usable identifier or trait stands alone: its own customer.
  return answers.map(({ recordId, customerId, anonymousId }) => ({
    recordId,
    customerId:
      resolution.holderOf({ type: 'anonymousId', value: anonymousId }) ??
      (customerId !== undefined ? resolution.current(customerId) : `unresolved:${recordId}`),
  }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const input = argv[0] !== undefined && !argv[0].startsWith('--') ? argv[0] : undefined;
  const output = argument(argv, '--output', '');
  const parametersFile = argument(argv, '--parameters', '');
  const rulesFile = argument(argv, '--rules', '');
  const options: ResolveFileOptions = {
    selfTraining: !flag(argv, '--no-training'),
    ...(parametersFile !== '' ? { parameters: matchParametersSchema.parse(JSON.parse(readFileSync(parametersFile, 'utf8'))) } : {}),
    ...(rulesFile !== '' ? { rules: compileIdentityRules(JSON.parse(readFileSync(rulesFile, 'utf8'))) } : {}),
  };
  const lines = createInterface({ input: input !== undefined ? createReadStream(input, 'utf8') : process.stdin, crlfDelay: Infinity });
  const answers = await resolveStream(lines, options);
  const sink: Writable = output !== '' ? createWriteStream(output, 'utf8') : process.stdout;
  for (const answer of answers) sink.write(`${JSON.stringify(answer)}\n`);
  if (sink !== process.stdout)
    await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`resolve-file failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
