import { defaultIdentityRules } from './default-identity.rules';
import { extractIdentifiers } from './identifier.extractor';
import { SegmentLikeEvent } from './identifier.model';
import { compileIdentityRules } from './identity-rules.schema';
import { decideResolution, KnownCustomer } from './resolution.decider';

const rules = compileIdentityRules(defaultIdentityRules);

function decide(event: SegmentLikeEvent, known: KnownCustomer[]) {
  return decideResolution(extractIdentifiers(event, rules), known, rules);
}

const customer = (customerId: string, createdAt: string, ...identifiers: Array<[string, string]>): KnownCustomer => ({
  customerId,
  createdAt,
  identifiers: identifiers.map(([type, value]) => ({ type, value })),
});

describe('decideResolution', () => {
  it('creates a new customer when no one holds a unique identifier', () => {
    const decision = decide({ type: 'identify', userId: 'u1', traits: { email: 'a@x.com' } }, []);
    expect(decision).toMatchObject({
      kind: 'new-customer',
      identifiers: [
        { type: 'userId', value: 'u1' },
        { type: 'email', value: 'a@x.com' },
      ],
      rulesVersion: 'default-1',
    });
    expect(decision.reason).toMatch(/^new customer/);
  });

  it('attaches to the customer holding a unique identifier and lists what is new', () => {
    const decision = decide({ type: 'identify', userId: 'u1', traits: { email: 'new@x.com' } }, [
      customer('c1', '2024-01-01T00:00:00Z', ['userId', 'u1']),
    ]);
    expect(decision).toMatchObject({ kind: 'attach', customerId: 'c1', newIdentifiers: [{ type: 'email', value: 'new@x.com' }] });
    expect(decision.reason).toContain('userId u1');
  });

  it('does not link on a non-unique identifier such as a household phone', () => {
    const decision = decide({ type: 'identify', traits: { email: 'b@x.com', phone: '0412 555 123' } }, [
      customer('c1', '2024-01-01T00:00:00Z', ['phone', '+61412555123'], ['email', 'a@x.com']),
    ]);
    expect(decision.kind).toBe('new-customer');
  });

  it('merges two customers into the oldest, whatever order they are given in', () => {
    const known = [
      customer('c-new', '2024-05-01T00:00:00Z', ['anonymousId', 'dev1']),
      customer('c-old', '2023-01-01T00:00:00Z', ['userId', 'u1']),
    ];
    const event = { type: 'identify', userId: 'u1', anonymousId: 'dev1' };
    const decision = decide(event, known);
    expect(decision).toMatchObject({ kind: 'merge', survivorId: 'c-old', mergedIds: ['c-new'], newIdentifiers: [] });
    expect(decide(event, [...known].reverse())).toEqual(decision);
    expect(decision.reason).toMatch(/merge c-new into c-old \(oldest/);
  });

  it('breaks a creation-time tie by customer id', () => {
    const decision = decide({ type: 'identify', traits: { email: 'a@x.com', loyaltyCard: 'L1' } }, [
      customer('c-b', '2024-01-01T00:00:00Z', ['loyaltyCard', 'L1']),
      customer('c-a', '2024-01-01T00:00:00Z', ['email', 'a@x.com']),
    ]);
    expect(decision).toMatchObject({ kind: 'merge', survivorId: 'c-a', mergedIds: ['c-b'] });
  });

  it('treats alias as a merge of previousId and userId', () => {
    const decision = decide({ type: 'alias', userId: 'u1', previousId: 'anon-7' }, [
      customer('c2', '2024-02-01T00:00:00Z', ['anonymousId', 'anon-7']),
      customer('c1', '2024-03-01T00:00:00Z', ['userId', 'u1']),
    ]);
    expect(decision).toMatchObject({ kind: 'merge', survivorId: 'c2', mergedIds: ['c1'] });
  });

  it('keeps a second user off a shared device: new customer, device link refused', () => {
    const decision = decide({ type: 'identify', userId: 'u2', anonymousId: 'family-pc' }, [
      customer('c1', '2024-01-01T00:00:00Z', ['userId', 'u1'], ['anonymousId', 'family-pc']),
    ]);
    expect(decision).toMatchObject({ kind: 'new-customer', identifiers: [{ type: 'userId', value: 'u2' }] });
    expect(decision.refused).toEqual([
      expect.objectContaining({ customerId: 'c1', reason: expect.stringMatching(/^conflict: .*2 userId \(max 1\)/) }),
    ]);
  });

  it('refuses a merge of two customers with different userIds and attaches to the higher priority one', () => {
    const decision = decide({ type: 'identify', userId: 'u2', traits: { email: 'shared@x.com' } }, [
      customer('c1', '2024-01-01T00:00:00Z', ['userId', 'u1'], ['email', 'shared@x.com']),
      customer('c2', '2024-02-01T00:00:00Z', ['userId', 'u2']),
    ]);
    expect(decision).toMatchObject({ kind: 'attach', customerId: 'c2', newIdentifiers: [] });
    expect(decision.refused).toHaveLength(1);
    expect(decision.refused[0]?.reason).toMatch(/conflict/);
  });

  it('refuses an identifier beyond the per-customer limit but still attaches the event', () => {
    const emails = ['a', 'b', 'c', 'd', 'e'].map((local): [string, string] => ['email', `${local}@x.com`]);
    const decision = decide({ type: 'identify', userId: 'u1', traits: { email: 'f@x.com' } }, [
      customer('c1', '2024-01-01T00:00:00Z', ['userId', 'u1'], ...emails),
    ]);
    expect(decision).toMatchObject({ kind: 'attach', customerId: 'c1', newIdentifiers: [] });
    expect(decision.refused).toEqual([
      expect.objectContaining({
        identifier: { type: 'email', value: 'f@x.com' },
        reason: 'limit exceeded: one customer may hold at most 5 email',
      }),
    ]);
  });

  it('reports blocked values as refused links', () => {
    const decision = decide({ type: 'identify', userId: 'u1', traits: { email: 'test@test.com' } }, []);
    expect(decision.kind).toBe('new-customer');
    expect(decision.refused).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^blocked value/) })]);
  });

  it('is unresolvable when nothing usable remains, with a reason', () => {
    const decision = decide({ type: 'track', anonymousId: 'null' }, []);
    expect(decision).toMatchObject({ kind: 'unresolvable', reason: 'no usable identifier in the event' });
    expect(decision.refused).toHaveLength(1);
  });

  it('merges every customer sharing a unique identifier that is held twice', () => {
    const decision = decide({ type: 'identify', traits: { email: 'dup@x.com' } }, [
      customer('c3', '2024-03-01T00:00:00Z', ['email', 'dup@x.com']),
      customer('c1', '2024-01-01T00:00:00Z', ['email', 'dup@x.com']),
    ]);
    expect(decision).toMatchObject({ kind: 'merge', survivorId: 'c1', mergedIds: ['c3'] });
  });
});
