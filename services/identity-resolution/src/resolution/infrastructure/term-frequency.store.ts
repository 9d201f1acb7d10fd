import { Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';
import { PreparedRecord } from '../../matching/domain';
import { StoredTermFrequencies } from '../domain/identity-graph.model';
import { TermFrequencySnapshots } from '../application/train-matching/train-matching.ports';

const TABLES = ['firstName', 'lastName'] as const;
const countsKey = (table: string): string => `idr:tf:${table}`;
const TOTALS_KEY = 'idr:tf:totals';

/**
 * Name frequencies for the term-frequency adjustment, as Redis hash counters: every batch adds
 * to the same totals, which atomic HINCRBY absorbs and a document database would serialise on.
 * They are statistics derived from trait_records, not part of the graph: if Redis loses them the
 * adjustment pauses (below MIN_RECORDS_FOR_TERM_FREQUENCIES) while counts build up again.
 */
@Injectable()
export class TermFrequencyStore implements TermFrequencySnapshots {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** Counts for "table:value" keys; an unavailable Redis reads as no data. */
  async read(termKeys: readonly string[]): Promise<StoredTermFrequencies> {
    const counts = new Map<string, number>();
    const totals = new Map<string, number>();
    const read = new Set<string>();
    if (termKeys.length === 0) return new StoredTermFrequencies(counts, totals, read);
    try {
      const byTable = new Map<string, string[]>();
      for (const key of termKeys) {
        const colon = key.indexOf(':');
        const table = key.slice(0, colon);
        byTable.set(table, [...(byTable.get(table) ?? []), key.slice(colon + 1)]);
      }
      const tables = [...byTable.keys()];
      const [totalValues, ...valueLists] = await Promise.all([
        this.redis.hmget(TOTALS_KEY, ...TABLES),
        ...tables.map((table) => this.redis.hmget(countsKey(table), ...(byTable.get(table) ?? []))),
      ]);
      TABLES.forEach((table, index) => totals.set(table, Number(totalValues?.[index] ?? 0)));
      tables.forEach((table, index) => {
        (byTable.get(table) ?? []).forEach((value, position) => {
          const count = valueLists[index]?.[position];
          const key = StoredTermFrequencies.key(table, value);
          read.add(key);
          if (count !== null && count !== undefined) counts.set(key, Number(count));
        });
      });
    } catch {
      // Fail open: matching goes on without the adjustment.
    }
    return new StoredTermFrequencies(counts, totals, read);
  }

  /**
   * Every name count and both totals as of one moment (one MULTI, so no batch's increments are
   * half in it): what a training re-match pass scores all of its pages against, so the same pair
   * gets the same score on every page of the pass however many records arrive meanwhile. Names
   * first stored after the snapshot count 0 in it. Undefined when Redis is unavailable (the pass
   * then goes on without the adjustment, as a batch would).
   */
  async snapshot(): Promise<StoredTermFrequencies | undefined> {
    try {
      const replies = await this.redis.multi().hgetall(TOTALS_KEY).hgetall(countsKey('firstName')).hgetall(countsKey('lastName')).exec();
      if (replies === null || replies.some(([error]) => error !== null)) return undefined;
      const [totalsHash, ...tableHashes] = replies.map(([, value]) => (value ?? {}) as Record<string, string>);
      const totals = new Map(TABLES.map((table) => [table as string, Number(totalsHash?.[table] ?? 0)]));
      const counts = new Map<string, number>();
      TABLES.forEach((table, index) => {
        for (const [value, count] of Object.entries(tableHashes[index] ?? {}))
          counts.set(StoredTermFrequencies.key(table, value), Number(count));
      });
      return new StoredTermFrequencies(counts, totals);
    } catch {
      return undefined;
    }
  }

  /** Counts newly stored records (the caller passes only records its write created). */
  async add(records: readonly PreparedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const record of records) {
      if (record.firstName !== undefined) {
        pipeline.hincrby(countsKey('firstName'), record.firstName, 1);
        pipeline.hincrby(TOTALS_KEY, 'firstName', 1);
      }
      if (record.lastName !== undefined) {
        pipeline.hincrby(countsKey('lastName'), record.lastName, 1);
        pipeline.hincrby(TOTALS_KEY, 'lastName', 1);
      }
    }
    await pipeline.exec().catch(() => undefined);
  }
}
