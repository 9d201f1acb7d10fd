import { identifierHash, journalEntryOf, replayableEvent, unionJournals } from '../event-journal';
import type { JournalEntry } from '../ports/needs-profile.store';
import { assignToParts } from './split-assignment';

const email = { type: 'email', value: 'a@example.com' };
const phone = { type: 'phone', value: '+4915112345678' };
const entry = (id: string, at: string, customerId: string, identifiers = [] as Array<{ type: string; value: string }>): JournalEntry => ({
  id,
  at,
  customerId,
  identifierHashes: identifiers.map(identifierHash),
  event: '{}',
});

describe('split assignment', () => {
  const parts = [
    { customerId: 'a', identifiers: [email] },
    { customerId: 'b', identifiers: [phone] },
  ];

  it('follows the identifiers an event carried, then its original customer, then the first part', () => {
    const assigned = assignToParts(
      [
        entry('1', '2024-01-02T00:00:00.000Z', 'a', [phone]),
        entry('2', '2024-01-01T00:00:00.000Z', 'b'),
        entry('3', '2024-01-03T00:00:00.000Z', 'x'),
        entry('4', '2024-01-01T00:00:00.000Z', 'b', [email]),
      ],
      parts,
    );
    expect(assigned.get('a')?.map((e) => e.id)).toEqual(['4', '3']);
    expect(assigned.get('b')?.map((e) => e.id)).toEqual(['2', '1']);
  });

  it('gives an event carrying identifiers of both parts to the part sharing most of them', () => {
    const other = { type: 'loyaltyCard', value: 'L1' };
    const assigned = assignToParts(
      [entry('1', '2024-01-01T00:00:00.000Z', 'a', [email, phone, other])],
      [parts[0] ?? { customerId: 'a', identifiers: [] }, { customerId: 'b', identifiers: [phone, other] }],
    );
    expect(assigned.get('b')?.map((e) => e.id)).toEqual(['1']);
  });
});

describe('event journal', () => {
  const event = {
    messageId: 'm1',
    sourceId: 's',
    channel: 'web' as const,
    eventType: 'identify' as const,
    customerId: 'a',
    identifiers: [email],
    traits: { email: 'a@example.com', First_Name: 'Ann', hasChildren: true },
    context: { ip: '10.0.0.1', purpose: 'personalisation', traits: { email: 'a@example.com' } },
    timestamp: '2024-01-01T01:00:00+01:00',
    receivedAt: '2024-01-01T00:00:00.000Z',
  };

  it('keeps what the profile reads and no identifiers or identity traits', () => {
    const journaled = journalEntryOf(event, ['email', 'firstName']);
    expect(journaled).toMatchObject({
      id: 'm1',
      at: '2024-01-01T00:00:00.000Z',
      customerId: 'a',
      identifierHashes: [identifierHash(email)],
    });
    expect(journaled.event).not.toContain('example.com');
    expect(journaled.event).not.toContain('Ann');
    expect(journaled.event).not.toContain('10.0.0.1');
    const replayed = replayableEvent(journaled, 'b');
    expect(replayed).toMatchObject({
      customerId: 'b',
      traits: { hasChildren: true },
      context: { purpose: 'personalisation' },
      identifiers: [],
    });
  });

  it('unites journals by event id, oldest first, newest kept', () => {
    const a = [entry('1', '2024-01-01T00:00:00.000Z', 'a'), entry('3', '2024-01-03T00:00:00.000Z', 'a')];
    const b = [entry('2', '2024-01-02T00:00:00.000Z', 'b'), entry('3', '2024-01-03T00:00:00.000Z', 'a')];
    expect(unionJournals(a, b, 10).map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(unionJournals(a, b, 2).map((e) => e.id)).toEqual(['2', '3']);
    expect(unionJournals(a, b, 0)).toEqual([]);
  });
});
