import { randomBytes } from 'node:crypto';
import { DataKey, DataKeySource } from './data-keys';

/**
 * Data keys held in memory, one per subject, minted on first use: what a key store answers once a
 * process's cache is warm. For specs and the transport micro-bench (never a service: keys that
 * live in one process's memory are lost with it). Counts its calls; `destroy` is an erasure.
 */
export class MemoryDataKeys implements DataKeySource {
  /** The keys by subject (`customer:<id>`). */
  readonly keys = new Map<string, DataKey>();
  readonly calls = { forSubjects: 0, byIds: 0 };
  private minted = 0;

  async forSubjects(subjects: string[]): Promise<Map<string, DataKey>> {
    this.calls.forSubjects++;
    const answer = new Map<string, DataKey>();
    for (const subject of subjects) {
      let key = this.keys.get(subject);
      if (key === undefined) {
        key = { kid: `k${this.minted++}`, key: randomBytes(32) };
        this.keys.set(subject, key);
      }
      answer.set(subject, key);
    }
    return answer;
  }

  async byIds(kids: string[]): Promise<Map<string, Buffer>> {
    this.calls.byIds++;
    const wanted = new Set(kids);
    const answer = new Map<string, Buffer>();
    for (const { kid, key } of this.keys.values()) if (wanted.has(kid)) answer.set(kid, key);
    return answer;
  }

  /** Destroys the subject's key: what it sealed can no longer be opened. */
  destroy(subject: string): void {
    this.keys.delete(subject);
  }
}
