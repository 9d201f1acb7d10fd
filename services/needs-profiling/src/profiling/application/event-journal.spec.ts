import { createHash } from 'node:crypto';
import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { IdentifierHashes, identifierHash, journalEntryOf } from './event-journal';

const email = { type: 'email', value: 'a@example.com' };
const phone = { type: 'phone', value: '+4915112345678' };

function event(messageId: string, identifiers: ResolvedEventDataV1['identifiers']): ResolvedEventDataV1 {
  return {
    messageId,
    sourceId: 's',
    channel: 'web',
    eventType: 'identify',
    customerId: 'a',
    identifiers,
    traits: { email: 'a@example.com', First_Name: 'Ann', phone: '+4915112345678', hasChildren: true },
    timestamp: '2024-01-01T00:00:00.000Z',
    receivedAt: '2024-01-01T00:00:00.000Z',
  };
}

describe('journal entries of one batch', () => {
  it("hash each identifier as identifierHash does, the same identifier once per batch's hashes", () => {
    const hashes = new IdentifierHashes();
    const first = journalEntryOf(event('m1', [email, phone]), [], hashes);
    const second = journalEntryOf(event('m2', [phone]), [], hashes);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
    expect(first.identifierHashes).toEqual([sha('email:a@example.com'), sha('phone:+4915112345678')]);
    expect(second.identifierHashes).toEqual([identifierHash(phone)]);
    // Without a batch's hashes (other callers), the same entry.
    expect(journalEntryOf(event('m1', [email, phone]), [])).toEqual(first);
  });

  it('keep apart identifiers that differ only in type or value', () => {
    const hashes = new IdentifierHashes();
    const a = hashes.of({ type: 'email', value: 'x' });
    const b = hashes.of({ type: 'phone', value: 'x' });
    const c = hashes.of({ type: 'email', value: 'y' });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(hashes.of({ type: 'email', value: 'x' })).toBe(a);
  });

  it('drop the never-stored traits of each configuration they are given, loosely matched', () => {
    const noEmail = ['email', 'first_name'];
    const noPhone = ['Phone'];
    const traitsOf = (neverStore: readonly string[]) =>
      (JSON.parse(journalEntryOf(event('m1', []), neverStore).event) as { traits: Record<string, unknown> }).traits;
    expect(traitsOf(noEmail)).toEqual({ phone: '+4915112345678', hasChildren: true });
    expect(traitsOf(noPhone)).toEqual({ email: 'a@example.com', First_Name: 'Ann', hasChildren: true });
    // The same configuration again (its normalised names are kept per array), and a copy of it.
    expect(traitsOf(noEmail)).toEqual({ phone: '+4915112345678', hasChildren: true });
    expect(traitsOf([...noPhone])).toEqual({ email: 'a@example.com', First_Name: 'Ann', hasChildren: true });
  });
});
