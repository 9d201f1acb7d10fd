import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * HMAC-SHA256 pseudonyms of customer ids under one key, the recently used ones kept: every
 * consumer call checks each of its subjects against the erased set, the same customers come back
 * call after call, and an HMAC per subject per call was a visible share of the consumers' CPU.
 * Customer ids carry no personal data (nor do their pseudonyms).
 */
export class Pseudonyms {
  private readonly kept: LRUCache<string, string>;

  constructor(
    private readonly key: string,
    kept = 20_000,
  ) {
    this.kept = new LRUCache<string, string>({ max: Math.max(1, kept) });
  }

  of(customerId: string): string {
    let pseudonym = this.kept.get(customerId);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', this.key).update(customerId, 'utf8').digest('hex');
      this.kept.set(customerId, pseudonym);
    }
    return pseudonym;
  }
}
