import { ComparisonName } from './record-comparison';
import { PreparedRecord } from './person-record.model';

/**
 * How often each value occurs, per comparison. In the service this is a counter per value kept
 * beside the blocking index; offline it is built from a batch of records.
 */
export interface TermFrequencies {
  /** Relative frequency of the value among records that have the field, or undefined if unseen. */
  frequency(comparison: ComparisonName, value: string): number | undefined;
  /**
   * How many stored records give the value: 0 when none does, undefined when the count was not
   * read (a store that answers only for the values a batch asked about, or is unavailable).
   */
  occurrences?(comparison: ComparisonName, value: string): number | undefined;
}

const TERM_VALUE: Readonly<Partial<Record<ComparisonName, (record: PreparedRecord) => string | undefined>>> = {
  firstName: (record) => record.firstName,
  lastName: (record) => record.lastName,
};

/** The value a record contributes to the term-frequency table of a comparison. */
export function termValueOf(comparison: ComparisonName, record: PreparedRecord): string | undefined {
  return TERM_VALUE[comparison]?.(record);
}

export class CountedTermFrequencies implements TermFrequencies {
  private readonly counts = new Map<ComparisonName, Map<string, number>>();
  private readonly totals = new Map<ComparisonName, number>();

  static fromRecords(records: Iterable<PreparedRecord>): CountedTermFrequencies {
    const table = new CountedTermFrequencies();
    for (const record of records) table.add(record);
    return table;
  }

  add(record: PreparedRecord): void {
    for (const comparison of Object.keys(TERM_VALUE) as ComparisonName[]) {
      const value = termValueOf(comparison, record);
      if (value === undefined) continue;
      const counts = this.counts.get(comparison) ?? new Map<string, number>();
      counts.set(value, (counts.get(value) ?? 0) + 1);
      this.counts.set(comparison, counts);
      this.totals.set(comparison, (this.totals.get(comparison) ?? 0) + 1);
    }
  }

  frequency(comparison: ComparisonName, value: string): number | undefined {
    const count = this.counts.get(comparison)?.get(value);
    const total = this.totals.get(comparison);
    if (count === undefined || total === undefined || total === 0) return undefined;
    return count / total;
  }

  occurrences(comparison: ComparisonName, value: string): number {
    return this.counts.get(comparison)?.get(value) ?? 0;
  }
}
