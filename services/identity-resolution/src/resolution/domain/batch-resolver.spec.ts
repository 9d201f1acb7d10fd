import {
  compileIdentityRules,
  defaultIdentityRules,
  defaultOverMergeGuardConfig,
  initialMatchParameters,
  MatchParameters,
  prepareRecord,
  scorePair,
  SegmentLikeEvent,
  TermFrequencies,
} from '../../matching/domain';
import { BatchResolver, GraphState, lookupsFor, readEvent, ResolverEvent, ResolverSettings } from './batch-resolver';
import { customerIdFor as keyedCustomerIdFor, legacyCustomerIdFor, StoredTermFrequencies } from './identity-graph.model';
import { personalTraitsOf } from './personal-traits.extractor';

const rules = compileIdentityRules(defaultIdentityRules);
const noTerms = new StoredTermFrequencies(new Map(), new Map());

const ID_KEY = 'a-test-customer-id-key-0123';
const customerIdFor = (identifier: { type: string; value: string }) => keyedCustomerIdFor(identifier, ID_KEY);

function settings(
  overrides: Partial<ResolverSettings> = {},
  parameters: MatchParameters = initialMatchParameters('test'),
): ResolverSettings {
  return {
    rules,
    guard: defaultOverMergeGuardConfig,
    weakLinkTypes: new Set(['anonymousId']),
    matching: { parameters, termFrequencies: noTerms, maxBlockSize: 200 },
    customerIdKey: ID_KEY,
    ...overrides,
  };
}

const emptyState = (): GraphState => new GraphState(new Map(), new Map(), [], new Map(), new Map());

let sequence = 0;
function event(data: SegmentLikeEvent, time = '2024-01-01T00:00:00.000Z'): ResolverEvent {
  sequence += 1;
  return { id: `e${sequence}`, time, data };
}

const person = {
  firstName: 'Jonathan',
  lastName: 'Smithers',
  birthday: '1984-03-07',
  phone: '0412 555 123',
  address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
};

describe('BatchResolver', () => {
  it('creates a customer per person and attaches later events to it', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'u1', traits: { email: 'Jane@Mail.org' } }),
      event({ type: 'track', userId: 'u1' }),
      event({ type: 'identify', anonymousId: 'd1', traits: { email: 'jane@mail.org ' } }),
    ]);
    const ids = plan.outcomes.map((o) => (o.kind === 'resolved' ? o.customerId : o.reason));
    expect(new Set(ids)).toEqual(new Set([customerIdFor({ type: 'userId', value: 'u1' })]));
    expect(plan.newCustomers).toHaveLength(1);
    expect(plan.newIdentifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(['anonymousId:d1', 'email:jane@mail.org', 'userId:u1']);
    expect(plan.newIdentifiers.find((i) => i.type === 'anonymousId')?.evidence).toMatchObject({
      rule: 'deterministic:email',
      via: 'email:jane@mail.org',
    });
  });

  it('merges two customers into the oldest when an event links them', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'u1', traits: { email: 'a@mail.org' } }, '2024-01-01T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'd1', traits: { loyaltyCard: 'L-1' } }, '2024-02-01T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'd1', traits: { email: 'a@mail.org' } }, '2024-03-01T00:00:00.000Z'),
    ]);
    const survivor = customerIdFor({ type: 'userId', value: 'u1' });
    expect(plan.merges).toEqual([
      expect.objectContaining({ survivorId: survivor, mergedId: customerIdFor({ type: 'loyaltyCard', value: 'L1' }) }),
    ]);
    expect(plan.outcomes[2]).toMatchObject({ kind: 'resolved', customerId: survivor });
    // A deterministic merge is not the matcher's word: nothing for re-resolution to undo.
    expect(plan.marks).toEqual([]);
  });

  it('sends a merge past the cluster size cap to review instead', () => {
    const plan = new BatchResolver(emptyState(), settings({ guard: { ...defaultOverMergeGuardConfig, maxClusterSize: 2 } })).resolve([
      // Two customers with different userIds are two people whatever else they share, so these
      // customers are known by other identifiers only.
      event({ type: 'identify', anonymousId: 'x0', traits: { email: 'x@mail.org' } }, '2024-01-01T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'y0', traits: { crmId: 'C1' } }, '2024-01-02T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'z0', traits: { loyaltyCard: 'Z1' } }, '2024-01-03T00:00:00.000Z'),
      event({ type: 'identify', traits: { email: 'x@mail.org', loyaltyCard: 'Y9' }, anonymousId: 'n1' }),
      event({ type: 'identify', anonymousId: 'n2', traits: { crmId: 'C1', email: 'x@mail.org' } }),
      event({ type: 'identify', anonymousId: 'n3', traits: { loyaltyCard: 'Z1', email: 'x@mail.org' } }),
    ]);
    expect(plan.merges).toHaveLength(1);
    expect(plan.reviews).toEqual([expect.objectContaining({ kind: 'over-merge-guard', reason: expect.stringContaining('size cap') })]);
  });

  it('refuses to chain two large clusters through one shared device', () => {
    const state = emptyState();
    const resolver = new BatchResolver(state, settings({ guard: { ...defaultOverMergeGuardConfig, bridgeClusterSize: 2 } }));
    const plan = resolver.resolve([
      event({ type: 'identify', anonymousId: 'a0', traits: { email: 'a@mail.org' } }, '2024-01-01T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'a1', traits: { crmId: 'A' } }, '2024-01-02T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'a2', traits: { email: 'a@mail.org', crmId: 'A' } }, '2024-01-03T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'b0', traits: { email: 'b@mail.org' } }, '2024-01-04T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'b1', traits: { loyaltyCard: 'LB' } }, '2024-01-05T00:00:00.000Z'),
      event({ type: 'identify', anonymousId: 'shared', traits: { email: 'b@mail.org', loyaltyCard: 'LB' } }, '2024-01-06T00:00:00.000Z'),
      // A family computer: the device belongs to b's cluster; a's CRM id shows up on it.
      event({ type: 'identify', anonymousId: 'shared', traits: { crmId: 'A' } }, '2024-01-07T00:00:00.000Z'),
    ]);
    expect(plan.merges).toHaveLength(2);
    expect(plan.reviews).toEqual([expect.objectContaining({ kind: 'over-merge-guard', reason: expect.stringContaining('bridge') })]);
  });

  it('dead-letters nothing silently: an event with only blocked identifiers is unresolvable', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([event({ type: 'track', anonymousId: 'anonymous' })]);
    expect(plan.outcomes).toEqual([expect.objectContaining({ kind: 'unresolvable' })]);
  });

  it('links a trait-only event to the customer it scores highest against', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'u-jon', traits: person }),
      event({
        type: 'identify',
        anonymousId: 'kiosk-1',
        traits: { ...person, firstName: 'Jon', birthday: '07/03/1984', phone: '+61412555123' },
      }),
    ]);
    const [first, second] = plan.outcomes;
    expect(second).toMatchObject({
      kind: 'resolved',
      customerId: first?.kind === 'resolved' ? first.customerId : '',
      reason: expect.stringContaining('probabilistic'),
    });
    expect(plan.newIdentifiers.find((i) => i.value === 'kiosk-1')?.evidence).toMatchObject({
      rule: 'probabilistic:fellegi-sunter',
      score: expect.any(Number),
    });
  });

  it('keeps a lookalike with a different birth date and first name apart', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'u-jon', traits: person }),
      event({
        type: 'identify',
        anonymousId: 'kiosk-2',
        traits: { ...person, firstName: 'Margaret', birthday: '1961-11-23', phone: undefined },
      }),
    ]);
    const [first, second] = plan.outcomes;
    expect(second?.kind === 'resolved' && first?.kind === 'resolved' && second.customerId !== first.customerId).toBe(true);
  });

  it('does not merge customers a person split apart; it asks for review', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'p', traits: { email: 'p@mail.org' } }),
    ]);
    const p = plan.newCustomers[0]?.id ?? '';
    const q = customerIdFor({ type: 'userId', value: 'q' });
    const state = new GraphState(
      new Map([
        ['email:p@mail.org', { type: 'email', value: 'p@mail.org', customerId: p, originCustomerId: p }],
        ['loyaltyCard:Q1', { type: 'loyaltyCard', value: 'Q1', customerId: q, originCustomerId: q }],
      ]),
      new Map([
        [p, { id: p, createdAt: '2024-01-01T00:00:00.000Z', members: [p], separatedFrom: [q] }],
        [q, { id: q, createdAt: '2024-01-02T00:00:00.000Z', members: [q], separatedFrom: [p] }],
      ]),
      [],
      new Map(),
      new Map(),
    );
    const second = new BatchResolver(state, settings()).resolve([
      event({ type: 'identify', anonymousId: 'z', traits: { email: 'p@mail.org', loyaltyCard: 'Q1' } }),
    ]);
    expect(second.merges).toHaveLength(0);
    expect(second.reviews).toEqual([expect.objectContaining({ kind: 'split-separated', customerIds: [p, q] })]);
  });

  it('names a new customer after a unique identifier, never after a household phone', () => {
    const landline = '(03) 9347 1234';
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({
        type: 'identify',
        anonymousId: 'kiosk-a',
        traits: { firstName: 'Margaret', lastName: 'Okafor', birthday: '1961-11-23', phone: landline },
      }),
      event({
        type: 'identify',
        anonymousId: 'kiosk-b',
        traits: { firstName: 'Tobias', lastName: 'Lindqvist', birthday: '1990-02-14', phone: landline },
      }),
    ]);
    const [first, second] = plan.outcomes;
    expect(first?.kind === 'resolved' && second?.kind === 'resolved' && first.customerId !== second.customerId).toBe(true);
    expect(plan.newCustomers.map((c) => c.id)).toEqual([
      customerIdFor({ type: 'anonymousId', value: 'kiosk-a' }),
      customerIdFor({ type: 'anonymousId', value: 'kiosk-b' }),
    ]);
  });

  // Among 1,000 records, one Zielinski: agreeing on such a rare surname is strong evidence.
  const rareSurname: TermFrequencies = { frequency: (table, value) => (table === 'lastName' && value === 'zielinski' ? 0.001 : undefined) };
  const household = {
    lastName: 'Zielinski',
    phone: '(03) 9347 1234',
    address: { street: '7 Rowan Lane', city: 'Brunswick', postalCode: '3056', state: 'VIC' },
  };

  it('does not link on household evidence alone (rare surname, address, landline): a person reviews it', () => {
    const parameters = initialMatchParameters('test');
    const withRareSurname = settings({ matching: { parameters, termFrequencies: rareSurname, maxBlockSize: 200 } });
    const plan = new BatchResolver(emptyState(), withRareSurname).resolve([
      event({ type: 'identify', anonymousId: 'k1', traits: { ...household, firstName: 'Ewa', birthday: '1958-06-30' } }),
      // Nothing that tells the members of the household apart: no first name, no birth date.
      event({ type: 'identify', anonymousId: 'k2', traits: household }),
    ]);
    const [first, second] = plan.outcomes;
    expect(first?.kind === 'resolved' && second?.kind === 'resolved' && first.customerId !== second.customerId).toBe(true);
    expect(plan.reviews).toEqual([
      expect.objectContaining({
        kind: 'over-merge-guard',
        reason: expect.stringContaining('household evidence only'),
        score: expect.any(Number),
      }),
    ]);
    expect(plan.reviews[0]?.score ?? 0).toBeGreaterThanOrEqual(parameters.thresholds.autoMerge);
  });

  it('links on household evidence where the trained parameters found the data free of households', () => {
    const parameters: MatchParameters = {
      ...initialMatchParameters('test'),
      households: { pairs: 2950, bothDiffer: 15, expectedFromErrors: 14.6, present: false },
    };
    const withRareSurname = settings({ matching: { parameters, termFrequencies: rareSurname, maxBlockSize: 200 } });
    const plan = new BatchResolver(emptyState(), withRareSurname).resolve([
      event({ type: 'identify', anonymousId: 'k1', traits: { ...household, firstName: 'Ewa', birthday: '1958-06-30' } }),
      event({ type: 'identify', anonymousId: 'k2', traits: household }),
    ]);
    const [first, second] = plan.outcomes;
    expect(second).toMatchObject({
      kind: 'resolved',
      customerId: first?.kind === 'resolved' ? first.customerId : '',
      reason: expect.stringContaining('probabilistic'),
    });
    expect(plan.reviews).toEqual([]);
  });

  it('links on a shared mobile number, which one person holds, where a landline would not do', () => {
    const parameters = initialMatchParameters('test');
    const withRareSurname = settings({ matching: { parameters, termFrequencies: rareSurname, maxBlockSize: 200 } });
    const mobile = { ...household, phone: '0412 555 123' };
    const plan = new BatchResolver(emptyState(), withRareSurname).resolve([
      event({ type: 'identify', anonymousId: 'k1', traits: { ...mobile, firstName: 'Ewa', birthday: '1958-06-30' } }),
      event({ type: 'identify', anonymousId: 'k2', traits: mobile }),
    ]);
    const [first, second] = plan.outcomes;
    expect(second).toMatchObject({
      kind: 'resolved',
      customerId: first?.kind === 'resolved' ? first.customerId : '',
      reason: expect.stringContaining('probabilistic'),
    });
  });

  it('does not join a customer one of whose records contradicts the new one', () => {
    // As EM estimates it: two records of one person almost never give different birth dates.
    const initial = initialMatchParameters('test');
    const birthDate = initial.comparisons['birthDate'];
    if (birthDate === undefined) throw new Error('initial parameters lack birthDate');
    const parameters: MatchParameters = {
      ...initial,
      comparisons: { ...initial.comparisons, birthDate: { ...birthDate, levels: { ...birthDate.levels, else: { m: 0.001, u: 0.9 } } } },
    };
    const state = emptyState();
    const resolve = (anonymousId: string, traits: Record<string, unknown>) =>
      new BatchResolver(state, settings({}, parameters)).resolve([event({ type: 'identify', anonymousId, traits })]);
    const ewa = resolve('k1', { ...household, firstName: 'Ewa', birthday: '1958-06-30' });
    const ewaId = ewa.newCustomers[0]?.id ?? '';
    // Ewa again without her birth date: linked to her customer.
    expect(resolve('k2', { ...household, firstName: 'Ewa' }).outcomes[0]).toMatchObject({ kind: 'resolved', customerId: ewaId });
    // Her daughter, also Ewa: resembles the record without a birth date, contradicts the other.
    const daughter = resolve('k3', { ...household, firstName: 'Ewa', birthday: '1991-01-12' });
    expect(daughter.outcomes[0]).toMatchObject({ kind: 'resolved' });
    expect(daughter.outcomes[0]?.kind === 'resolved' && daughter.outcomes[0].customerId !== ewaId).toBe(true);
    expect(daughter.reviews).toEqual([
      expect.objectContaining({ customerIds: [ewaId, expect.any(String)], reason: expect.stringContaining('contradicted') }),
    ]);
  });

  it('joins a customer despite one garbled record among several that agree where the data holds no households, and not elsewhere', () => {
    const initial = initialMatchParameters('test');
    const birthDate = initial.comparisons['birthDate'];
    if (birthDate === undefined) throw new Error('initial parameters lack birthDate');
    const strict: MatchParameters = {
      ...initial,
      comparisons: { ...initial.comparisons, birthDate: { ...birthDate, levels: { ...birthDate.levels, else: { m: 0.001, u: 0.9 } } } },
    };
    const outcomeOf = (parameters: MatchParameters) => {
      const state = emptyState();
      const resolve = (traits: Record<string, unknown>, ids: Record<string, string>) =>
        new BatchResolver(state, settings({}, parameters)).resolve([event({ type: 'identify', ...ids, traits })]);
      // One customer by its login: two records of Ewa and one keyed in wrong (another name, date and street).
      const ewa = resolve({ ...household, firstName: 'Ewa', birthday: '1958-06-30' }, { userId: 'u-ewa', anonymousId: 'k1' });
      resolve(
        { lastName: household.lastName, address: household.address, firstName: 'Ewa', birthday: '1958-06-30' },
        { userId: 'u-ewa', anonymousId: 'k2' },
      );
      resolve(
        {
          firstName: 'Edyta',
          lastName: 'Kowalska',
          birthday: '1991-01-12',
          address: { street: '3 Elm Road', city: 'Brunswick', postalCode: '3056', state: 'VIC' },
        },
        { userId: 'u-ewa', anonymousId: 'k3' },
      );
      // Ewa again, anonymous and without her birth date.
      const again = resolve({ ...household, firstName: 'Ewa' }, { anonymousId: 'k4' });
      return { ewaId: ewa.newCustomers[0]?.id ?? '', outcome: again.outcomes[0], reviews: again.reviews };
    };
    const households = outcomeOf(strict);
    expect(households.outcome?.kind === 'resolved' && households.outcome.customerId !== households.ewaId).toBe(true);
    expect(households.reviews).toEqual([expect.objectContaining({ reason: expect.stringContaining('contradicted') })]);
    const none = outcomeOf({ ...strict, households: { pairs: 2950, bothDiffer: 15, expectedFromErrors: 14.6, present: false } });
    expect(none.outcome).toMatchObject({ kind: 'resolved', customerId: none.ewaId });
  });

  // A rare surname, and, as EM estimates it, a different birth date as strong evidence of two people.
  const rareNames = ((): ResolverSettings => {
    const initial = initialMatchParameters('test');
    const birthDate = initial.comparisons['birthDate'];
    if (birthDate === undefined) throw new Error('initial parameters lack birthDate');
    const parameters: MatchParameters = {
      ...initial,
      comparisons: { ...initial.comparisons, birthDate: { ...birthDate, levels: { ...birthDate.levels, else: { m: 0.001, u: 0.9 } } } },
    };
    return settings({
      matching: {
        parameters,
        termFrequencies: { frequency: (table, value) => (table === 'lastName' && value === 'smithers' ? 0.001 : undefined) },
        maxBlockSize: 200,
      },
    });
  })();

  it('names a new customer by a keyed hash of its first identifier, which the identifier alone does not give', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([event({ type: 'identify', userId: 'anna-1' })]);
    const id = plan.newCustomers[0]?.id;
    expect(id).toBe(keyedCustomerIdFor({ type: 'userId', value: 'anna-1' }, ID_KEY));
    expect(id).toMatch(/^cus_[a-f0-9]{24}$/);
    expect(id).not.toBe(legacyCustomerIdFor({ type: 'userId', value: 'anna-1' }));
    expect(id).not.toBe(keyedCustomerIdFor({ type: 'userId', value: 'anna-1' }, 'another-key-of-16-chars'));
  });

  it('merges two customers one record links when their records do not contradict each other', () => {
    const state = emptyState();
    const resolve = (anonymousId: string, traits: Record<string, unknown>) =>
      new BatchResolver(state, rareNames).resolve([event({ type: 'identify', anonymousId, traits })]);
    // One person seen twice with too little in common to link: a new address, no birth date.
    const a = resolve('k1', {
      firstName: 'Jonathan',
      lastName: 'Smithers',
      birthday: '1984-03-07',
      address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    });
    const b = resolve('k2', {
      firstName: 'Jonathan',
      lastName: 'Smithers',
      phone: '0412 555 123',
      address: { street: '4 Banksia Road', city: 'Hobart', postalCode: '7000', state: 'TAS' },
    });
    expect(b.newCustomers).toHaveLength(1);
    // A record resembling both: the birth date of one, the phone of the other.
    const c = resolve('k3', { firstName: 'Jonathan', lastName: 'Smithers', birthday: '1984-03-07', phone: '0412 555 123' });
    // Seen at the same time: the survivor is the smaller id.
    expect(c.merges.map((m) => [m.survivorId, m.mergedId])).toEqual([[a.newCustomers[0]?.id, b.newCustomers[0]?.id].sort()]);
    // The matcher's merge: the merged customer's record is marked so a later estimate can undo it.
    const mergedId = c.merges[0]?.mergedId ?? '';
    expect(c.marks).toEqual([
      expect.objectContaining({
        origins: [mergedId],
        linked: expect.objectContaining({ merged: { customerId: mergedId, origins: [mergedId] } }),
      }),
    ]);
    const mergedRecord = [...a.newRecords, ...b.newRecords].find((r) => r.customerId === mergedId)?.id ?? '';
    expect(state.records.get(mergedRecord)?.linked?.merged?.customerId).toBe(mergedId);
  });

  it('reviews rather than merges two customers one record links when their records contradict each other', () => {
    const state = emptyState();
    const resolve = (anonymousId: string, traits: Record<string, unknown>) =>
      new BatchResolver(state, rareNames).resolve([event({ type: 'identify', anonymousId, traits })]);
    // Father and son of the same name: different birth dates, different mobiles.
    resolve('k1', {
      firstName: 'Jonathan',
      lastName: 'Smithers',
      birthday: '1958-03-07',
      phone: '0412 555 123',
      address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    });
    resolve('k2', {
      firstName: 'Jonathan',
      lastName: 'Smithers',
      birthday: '1991-10-30',
      phone: '0433 987 654',
      address: { street: '4 Banksia Road', city: 'Hobart', postalCode: '7000', state: 'TAS' },
    });
    // A record with no birth date resembling both: one mobile, the other's address.
    const c = resolve('k3', {
      firstName: 'Jonathan',
      lastName: 'Smithers',
      phone: '0412 555 123',
      address: { street: '4 Banksia Road', city: 'Hobart', postalCode: '7000', state: 'TAS' },
    });
    expect(c.merges).toHaveLength(0);
    expect(c.reviews).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: expect.stringContaining('contradict each other') })]),
    );
  });

  it('never links a lookalike that carries a different userId (a per-customer limit of one)', () => {
    const plan = new BatchResolver(emptyState(), settings()).resolve([
      event({ type: 'identify', userId: 'u-jon', traits: person }),
      event({ type: 'identify', userId: 'u-other', traits: { ...person, firstName: 'Jon' } }),
    ]);
    const [first, second] = plan.outcomes;
    expect(first?.kind === 'resolved' && second?.kind === 'resolved' && first.customerId !== second.customerId).toBe(true);
  });
  it('weighs a national id that differs instead of vetoing the link, while a second userId still vetoes', () => {
    const traits = {
      ...person,
      lastName: 'Zielinski',
      address: { street: '12 Wattle Street', line2: 'Rosebery Hill', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    };
    const resolver = new BatchResolver(emptyState(), settings());
    const plan = resolver.resolve([
      event({ type: 'identify', anonymousId: 'n1', traits: { ...traits, nationalId: '2534242' } }),
      event({ type: 'identify', anonymousId: 'n2', traits: { ...traits, nationalId: '5860195' } }),
      event({ type: 'identify', userId: 'u-first', traits: { ...traits, firstName: 'Joan' } }),
      event({ type: 'identify', userId: 'u-second', anonymousId: 'n3', traits: { ...traits, firstName: 'Joan' } }),
    ]);
    const [first, second, third, fourth] = plan.outcomes.map((o) => (o.kind === 'resolved' ? o.customerId : o.reason));
    expect(second).toBe(first);
    // The customer keeps one national id (its limit); the other is not attached.
    expect(plan.newIdentifiers.filter((i) => i.type === 'nationalId').map((i) => i.value)).toEqual(['2534242']);
    expect(fourth).not.toBe(third);
  });

  it('matches stored records again under new parameters and joins the customers they now link', () => {
    const state = emptyState();
    const strict = { ...initialMatchParameters('strict'), thresholds: { autoMerge: 1000, review: 999 } };
    const first = new BatchResolver(state, settings({}, strict)).resolve([event({ type: 'identify', anonymousId: 'r1', traits: person })]);
    const second = new BatchResolver(state, settings({}, strict)).resolve([
      event({ type: 'identify', anonymousId: 'r2', traits: { ...person, firstName: 'Jon' } }),
    ]);
    const [a, b] = [first, second].map((plan) => (plan.outcomes[0]?.kind === 'resolved' ? plan.outcomes[0].customerId : ''));
    expect(a).not.toBe(b);
    const rematch = new BatchResolver(state, settings()).rematch([...state.records.keys()], {
      id: 'rematch:v2',
      time: '2024-02-01T00:00:00.000Z',
    });
    expect(rematch.merges).toHaveLength(1);
    expect(rematch.merges[0]?.link.rule).toBe('probabilistic:fellegi-sunter');
    expect(state.current(a ?? '')).toBe(state.current(b ?? ''));
    // Nothing left to join: a second pass changes nothing.
    expect(
      new BatchResolver(state, settings()).rematch([...state.records.keys()], { id: 'rematch:v3', time: '2024-03-01T00:00:00.000Z' })
        .merges,
    ).toHaveLength(0);
  });

  it('links on household traits alone only when the score clears the margin and the first names do not differ', () => {
    const household = {
      lastName: 'Zielinski',
      address: { street: '12 Wattle Street', line2: 'Rosebery Hill', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    };
    const generous = { ...initialMatchParameters('generous'), thresholds: { autoMerge: -5, review: -10 } };
    const resolveBoth = (second: Record<string, unknown>, margin: number): string[] => {
      const plan = new BatchResolver(
        emptyState(),
        settings({ guard: { ...defaultOverMergeGuardConfig, householdLinkMargin: margin } }, generous),
      ).resolve([
        event({ type: 'identify', anonymousId: 'h1', traits: { ...household, firstName: 'Mary', birthday: '1970-01-01' } }),
        event({ type: 'identify', anonymousId: 'h2', traits: { ...household, ...second } }),
      ]);
      return plan.outcomes.map((o) => (o.kind === 'resolved' ? o.customerId : o.reason));
    };
    const [mary, unnamed] = resolveBoth({ phone: '(03) 9876 5432' }, 2);
    expect(unnamed).toBe(mary);
    const [mary2, mark] = resolveBoth({ firstName: 'Mark', phone: '(03) 9876 5432' }, 2);
    expect(mark).not.toBe(mary2);
    const [mary3, unsure] = resolveBoth({ phone: '(03) 9876 5432' }, 1000);
    expect(unsure).not.toBe(mary3);
  });
  it('keeps people who share an e-mail apart (a family address, a role mailbox), marks it shared and records them as related', () => {
    const state = emptyState();
    const kusha = { lastName: 'Kusha', address: { street: '4 Hill Road', city: 'Fitzroy', postalCode: '3065', state: 'VIC' } };
    const resolve = (data: SegmentLikeEvent) => {
      const plan = new BatchResolver(state, settings()).resolve([event(data)]);
      const outcome = plan.outcomes[0];
      return { plan, customerId: outcome?.kind === 'resolved' ? outcome.customerId : '' };
    };
    const mary = resolve({
      type: 'identify',
      anonymousId: 'k1',
      traits: { ...kusha, firstName: 'Mary', birthday: '1961-04-02', email: 'family@kusha.net' },
    });
    const maryAgain = resolve({
      type: 'identify',
      anonymousId: 'k2',
      traits: { ...kusha, firstName: 'Mary', birthday: '1961-04-02', email: 'family@kusha.net' },
    });
    expect(maryAgain.customerId).toBe(mary.customerId);
    const mark = resolve({
      type: 'identify',
      anonymousId: 'k3',
      traits: { ...kusha, firstName: 'Mark', birthday: '1990-09-12', email: 'family@kusha.net' },
    });
    expect(mark.customerId).not.toBe(mary.customerId);
    expect(mark.plan.sharedIdentifiers).toEqual(['email:family@kusha.net']);
    expect(mark.plan.relations).toEqual([
      expect.objectContaining({
        customerIds: [mary.customerId, mark.customerId],
        kind: 'shared-identifier',
        via: 'email:family@kusha.net',
      }),
    ]);
    // Once shared, the address links no one on its own: a third person with it stays apart too,
    // while Mark's own next visit finds him by his traits.
    const other = resolve({
      type: 'identify',
      anonymousId: 'k4',
      traits: { firstName: 'Olga', lastName: 'Petrova', birthday: '1975-02-02', email: 'family@kusha.net' },
    });
    expect(other.customerId).not.toBe(mary.customerId);
    expect(other.customerId).not.toBe(mark.customerId);
    expect(
      resolve({
        type: 'identify',
        anonymousId: 'k5',
        traits: { ...kusha, firstName: 'Mark', birthday: '1990-09-12', email: 'family@kusha.net' },
      }).customerId,
    ).toBe(mark.customerId);
    // A userId is never shared: a different person with the same userId is the holder's problem, not a new customer.
    const owner = resolve({ type: 'identify', userId: 'kusha-1', traits: { ...kusha, firstName: 'Mary', birthday: '1961-04-02' } });
    expect(
      resolve({ type: 'identify', userId: 'kusha-1', anonymousId: 'k6', traits: { ...kusha, firstName: 'Mark', birthday: '1990-09-12' } })
        .customerId,
    ).toBe(owner.customerId);
  });

  describe('re-resolution', () => {
    const { phone: _phone, ...noPhone } = person;
    const generous = { ...initialMatchParameters('generous'), thresholds: { autoMerge: -5, review: -10 } };
    // Father and son (same name and address, birth dates 26 years apart) score below this review bar: they contradict.
    const initial = initialMatchParameters('wary');
    const wary = { ...initial, thresholds: { ...initial.thresholds, review: 0 } };
    const resolvedId = (plan: { outcomes: Array<{ kind: string; customerId?: string }> }): string => plan.outcomes[0]?.customerId ?? '';
    // Two strangers sharing a first name and a birth date, nothing else (FEBRL 2's Georgia Tippins and Georgia Dudek).
    const georgia = { firstName: 'Georgia', birthday: '1938-01-28' };
    const tippins = { ...georgia, lastName: 'Tippins', address: { street: '9 Hawdon Street', city: 'Southern Cross', postalCode: '2151' } };
    const dudek = {
      ...georgia,
      lastName: 'Dudek',
      address: { street: 'Wattle Street', city: 'Ringwood', postalCode: '3134', state: 'NSW' },
    };
    const traitsOf = (traits: Record<string, unknown>) => {
      const found = personalTraitsOf({ type: 'identify', traits });
      if (found === undefined) throw new Error('no personal traits');
      return found;
    };
    const prepared = (id: string, traits: Record<string, unknown>) => prepareRecord(id, traitsOf(traits));
    // What the pair scores under the initial weights, without term frequencies.
    const score = scorePair(prepared('a', tippins), prepared('b', dudek), initial, noTerms).totalWeight;

    /** A son's record linked early to his father's customer (lax parameters), then his own record arriving. */
    function staged() {
      const state = emptyState();
      const father = resolvedId(
        new BatchResolver(state, settings({}, generous)).resolve([
          event({ type: 'identify', anonymousId: 'f1', traits: { ...noPhone, email: 'jon84@mail.org' } }),
        ]),
      );
      const early = new BatchResolver(state, settings({}, generous)).resolve([
        event({ type: 'identify', anonymousId: 's1', traits: { ...noPhone, birthday: '2010-11-02' } }),
      ]);
      const son = resolvedId(
        new BatchResolver(state, settings({}, wary)).resolve([
          event({ type: 'identify', anonymousId: 's2', traits: { ...noPhone, birthday: '2010-11-02', email: 'jr@mail.org' } }),
        ]),
      );
      return { state, father, linkedTo: resolvedId(early), earlyRecord: early.newRecords[0]?.id ?? '', son };
    }

    it('moves a record linked early to the customer it matches clearly better, with the identifiers it brought', () => {
      const { state, father, linkedTo, earlyRecord, son } = staged();
      expect(linkedTo).toBe(father);
      expect(son).not.toBe(father);
      const plan = new BatchResolver(state, settings({}, wary)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:v2',
        time: '2024-02-01T00:00:00.000Z',
      });
      expect(plan.moves).toEqual([
        expect.objectContaining({
          recordId: earlyRecord,
          fromId: father,
          toId: son,
          identifiers: [{ type: 'anonymousId', value: 's1' }],
          moves: 1,
        }),
      ]);
      const move = plan.moves[0];
      expect(move?.reason).toMatch(/^re-resolved: scores [-\d.]+ against /);
      expect(plan.merges).toEqual([
        expect.objectContaining({
          survivorId: son,
          mergedId: move?.partId,
          link: expect.objectContaining({ rule: 'probabilistic:re-resolution' }),
        }),
      ]);
      expect(state.current(state.records.get(earlyRecord)?.customerId ?? '')).toBe(son);
      expect(state.current(state.owners.get('anonymousId:s1')?.customerId ?? '')).toBe(son);
      expect(state.customers.get(father)?.members.some((member) => member.startsWith('record:'))).toBe(false);
      expect(
        state
          .identifiersOf(father)
          .map((i) => i.value)
          .sort(),
      ).toEqual(['f1', 'jon84@mail.org']);
      // Bounded: the next pass leaves every record where it is.
      const again = new BatchResolver(state, settings({}, wary)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:v3',
        time: '2024-03-01T00:00:00.000Z',
      });
      expect(again.moves).toEqual([]);
      expect(again.merges).toEqual([]);
    });

    it('leaves a record where it is when the two customers can simply be joined, or when its own customer supports it', () => {
      const state = emptyState();
      const first = resolvedId(
        new BatchResolver(state, settings()).resolve([
          event({ type: 'identify', anonymousId: 'p1', traits: { ...noPhone, email: 'a@mail.org' } }),
        ]),
      );
      const linked = resolvedId(
        new BatchResolver(state, settings()).resolve([
          event({ type: 'identify', anonymousId: 'p2', traits: { ...noPhone, firstName: 'Jon' } }),
        ]),
      );
      expect(linked).toBe(first);
      const plan = new BatchResolver(state, settings()).rematch([...state.records.keys()].sort(), {
        id: 'rematch:v2',
        time: '2024-02-01T00:00:00.000Z',
      });
      expect(plan.moves).toEqual([]);
    });

    it('splits off a record linked early that no record of its customer scores at the bar any more, and asks a person when it is close', () => {
      // Two strangers sharing a first name and a birth date, linked under parameters that knew little.
      // The same weights with a bar they clear.
      const lax = { ...initial, version: 'lax', thresholds: { autoMerge: score - 1, review: score - 2 } };
      const stage = () => {
        const state = emptyState();
        const first = resolvedId(
          new BatchResolver(state, settings({}, lax)).resolve([event({ type: 'identify', anonymousId: 'g1', traits: tippins })]),
        );
        const early = new BatchResolver(state, settings({}, lax)).resolve([event({ type: 'identify', anonymousId: 'g2', traits: dudek })]);
        return { state, first, linkedTo: resolvedId(early), earlyRecord: early.newRecords[0]?.id ?? '' };
      };
      // Close: between the thresholds now, so a person decides.
      const close = { ...initial, version: 'close', thresholds: { autoMerge: score + 1, review: score - 1 } };
      const { state, first, linkedTo, earlyRecord } = stage();
      expect(linkedTo).toBe(first);
      const plan = new BatchResolver(state, settings({}, close)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:close',
        time: '2024-02-01T00:00:00.000Z',
      });
      expect(plan.moves).toEqual([
        expect.objectContaining({ recordId: earlyRecord, fromId: first, identifiers: [{ type: 'anonymousId', value: 'g2' }], moves: 1 }),
      ]);
      const move = plan.moves[0];
      expect(move?.toId).toBeUndefined();
      expect(move?.reason).toMatch(/^re-resolved: no record of .* scores it at the auto-merge bar/);
      expect(plan.merges).toEqual([]);
      expect(state.current(state.records.get(earlyRecord)?.customerId ?? '')).toBe(move?.partId);
      expect(state.current(state.owners.get('anonymousId:g2')?.customerId ?? '')).toBe(move?.partId);
      expect(plan.reviews).toEqual([expect.objectContaining({ kind: 'probabilistic', customerIds: [first, move?.partId] })]);
      // Far: below the review bar now, split off without a question.
      const far = { ...initial, version: 'far', thresholds: { autoMerge: score + 2, review: score + 1 } };
      const again = stage();
      const farPlan = new BatchResolver(again.state, settings({}, far)).rematch([...again.state.records.keys()].sort(), {
        id: 'rematch:far',
        time: '2024-02-01T00:00:00.000Z',
      });
      expect(farPlan.moves).toHaveLength(1);
      expect(farPlan.reviews).toEqual([]);
      // Still at the bar: it stays.
      const holding = { ...initial, version: 'holding', thresholds: { autoMerge: score, review: score - 1 } };
      const third = stage();
      expect(
        new BatchResolver(third.state, settings({}, holding)).rematch([...third.state.records.keys()].sort(), {
          id: 'rematch:holding',
          time: '2024-02-01T00:00:00.000Z',
        }).moves,
      ).toEqual([]);
    });

    it('does not merge a part back into the customer it left earlier in the same re-match pass, however a later page scores the pair', () => {
      // FEBRL 2's Bridget Singleton (rec-175 / rec-2586) in the stack: a page of one re-match pass
      // moved a record out just under the bar, a later page of the same pass, reading name counts
      // that had grown meanwhile, scored the pair over it and merged the part straight back.
      // The two reads of the name counts: common ("georgia" one record in ten) on the first page, rare on the later one.
      const counts = (georgias: number) =>
        new StoredTermFrequencies(
          new Map([
            ['firstName:georgia', georgias],
            ['lastName:tippins', 1],
            ['lastName:dudek', 1],
          ]),
          new Map([
            ['firstName', 2000],
            ['lastName', 2000],
          ]),
        );
      const common = counts(200);
      const rare = counts(2);
      const under = scorePair(prepared('a', tippins), prepared('b', dudek), initial, common).totalWeight;
      const over = scorePair(prepared('b', dudek), prepared('a', tippins), initial, rare).totalWeight;
      expect(over).toBeGreaterThan(under + 0.2);
      const bar = { ...initial, version: 'estimate', thresholds: { autoMerge: (under + over) / 2, review: under - 1 } };
      const lax = { ...initial, version: 'lax', thresholds: { autoMerge: under - 2, review: under - 3 } };
      const pageSettings = (termFrequencies: StoredTermFrequencies) =>
        settings({ matching: { parameters: bar, termFrequencies, maxBlockSize: 200 } }, bar);
      const stage = () => {
        const state = emptyState();
        const first = resolvedId(
          new BatchResolver(state, settings({}, lax)).resolve([event({ type: 'identify', anonymousId: 'g1', traits: tippins })]),
        );
        const early = new BatchResolver(state, settings({}, lax)).resolve([event({ type: 'identify', anonymousId: 'g2', traits: dudek })]);
        expect(resolvedId(early)).toBe(first);
        const dudekRecord = early.newRecords[0]?.id ?? '';
        const tippinsRecord = [...state.records.keys()].find((id) => id !== dudekRecord) ?? '';
        return { state, first, dudekRecord, tippinsRecord };
      };
      const cause = { id: 'rematch:estimate', time: '2024-02-01T00:00:00.000Z' };

      const { state, first, dudekRecord, tippinsRecord } = stage();
      // Page 1: no record of her customer scores Dudek at the bar any more; she leaves, a person is asked.
      const page1 = new BatchResolver(state, pageSettings(common)).rematch([dudekRecord], cause);
      expect(page1.moves).toEqual([expect.objectContaining({ recordId: dudekRecord, fromId: first, moves: 1 })]);
      const partId = page1.moves[0]?.partId ?? '';
      const moved = new Map(page1.moves.map((move) => [move.partId, { fromId: move.fromId, reason: move.reason }]));
      // Page 2 of the same pass scores the pair over the bar from Tippins's side: not merged back, a person decides.
      const page2 = new BatchResolver(state, pageSettings(rare), new Set(), moved).rematch([tippinsRecord], cause);
      expect(page2.merges).toEqual([]);
      expect(state.current(partId)).toBe(partId);
      expect(state.current(state.records.get(dudekRecord)?.customerId ?? '')).toBe(partId);
      expect(page2.reviews).toEqual([
        expect.objectContaining({ kind: 'probabilistic', customerIds: expect.arrayContaining([first, partId]), score: over }),
      ]);
      expect(page2.reviews[0]?.reason).toMatch(new RegExp(`${partId} left ${first} earlier in the same pass \\(re-resolved: no record of`));

      // The same second page without the pass's memory (a later pass, new evidence) merges them: the guard is what held the pair apart.
      const again = stage();
      const alone = new BatchResolver(again.state, pageSettings(common)).rematch([again.dudekRecord], cause);
      expect(alone.moves).toHaveLength(1);
      const unguarded = new BatchResolver(again.state, pageSettings(rare)).rematch([again.tippinsRecord], cause);
      expect(unguarded.merges).toEqual([expect.objectContaining({ mergedId: expect.any(String) })]);
      expect(again.state.current(alone.moves[0]?.partId ?? '')).toBe(again.state.current(again.first));
    });

    it('marks a probabilistic merge of two customers as reversible, and undoes it when a later estimate no longer holds it', () => {
      // Two strangers sharing a first name and a birth date (FEBRL 2's Georgia Tippins and Georgia
      // Dudek), each a customer of its own, merged by the re-match after an estimate that put the pair over the bar.
      const strict = { ...initial, version: 'strict', thresholds: { autoMerge: score + 20, review: score + 19 } };
      const lax = { ...initial, version: 'lax', thresholds: { autoMerge: score - 1, review: score - 2 } };
      const state = emptyState();
      const first = resolvedId(
        new BatchResolver(state, settings({}, strict)).resolve([
          event({ type: 'identify', anonymousId: 'g1', traits: tippins }, '2024-01-01T00:00:00.000Z'),
        ]),
      );
      // Dudek's customer holds two records, joined by her anonymous id (a deterministic link): they leave together.
      const second = new BatchResolver(state, settings({}, strict)).resolve([
        event({ type: 'identify', anonymousId: 'g2', traits: dudek }, '2024-01-02T00:00:00.000Z'),
        event({ type: 'identify', anonymousId: 'g2', traits: { ...dudek, lastName: 'Dudeck' } }, '2024-01-03T00:00:00.000Z'),
      ]);
      const other = resolvedId(second);
      const dudekRecords = second.newRecords.map((r) => r.id).sort();
      expect(dudekRecords).toHaveLength(2);
      expect(other).not.toBe(first);

      const merging = new BatchResolver(state, settings({}, lax)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:lax',
        time: '2024-02-01T00:00:00.000Z',
      });
      expect(merging.merges).toEqual([expect.objectContaining({ survivorId: first, mergedId: other })]);
      const mergeScore = merging.merges[0]?.link.score ?? Number.NaN;
      expect(mergeScore).toBeGreaterThanOrEqual(lax.thresholds.autoMerge);
      // The merged customer's records, and only those, are marked as joined on the matcher's word, with the merge's weight and version.
      expect(merging.marks).toEqual([
        expect.objectContaining({
          origins: [other],
          linked: expect.objectContaining({
            score: mergeScore,
            parametersVersion: 'lax',
            identifiers: [{ type: 'anonymousId', value: 'g2' }],
            merged: { customerId: other, origins: [other] },
          }),
        }),
      ]);
      const mark = merging.marks[0]?.linked;
      for (const id of dudekRecords) expect(state.records.get(id)?.linked).toEqual(mark);
      const tippinsRecord = [...state.records.keys()].find((id) => !dudekRecords.includes(id)) ?? '';
      expect(state.records.get(tippinsRecord)?.linked).toBeUndefined();
      expect(state.customers.get(first)?.members).toContain(`record:${mark?.eventId ?? ''}`);
      // Under the same parameters the merge holds: re-examined, nothing moves.
      expect(
        new BatchResolver(state, settings({}, lax)).rematch([...state.records.keys()].sort(), {
          id: 'rematch:lax-again',
          time: '2024-02-02T00:00:00.000Z',
        }).moves,
      ).toEqual([]);

      // The next estimate puts the pair below the bar (and below the review bar): the merge is undone.
      const far = { ...initial, version: 'far', thresholds: { autoMerge: score + 2, review: score + 1 } };
      const undoing = new BatchResolver(state, settings({}, far)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:far',
        time: '2024-03-01T00:00:00.000Z',
      });
      expect(undoing.moves).toEqual([
        expect.objectContaining({
          recordId: dudekRecords[0],
          recordIds: dudekRecords,
          origins: [other],
          fromId: first,
          identifiers: [{ type: 'anonymousId', value: 'g2' }],
          moves: 1,
        }),
      ]);
      const move = undoing.moves[0];
      expect(move?.toId).toBeUndefined();
      expect(move?.reason).toMatch(
        new RegExp(
          `^re-resolved: the matcher's merge of ${other} \\(weight [-\\d.]+, parameters lax\\) no longer holds: no record of ${first} scores its records at the auto-merge bar`,
        ),
      );
      expect(undoing.merges).toEqual([]);
      expect(undoing.reviews).toEqual([]);
      for (const id of dudekRecords) expect(state.current(state.records.get(id)?.customerId ?? '')).toBe(move?.partId);
      expect(state.current(state.records.get(tippinsRecord)?.customerId ?? '')).toBe(first);
      expect(state.current(state.owners.get('anonymousId:g2')?.customerId ?? '')).toBe(move?.partId);
      expect(state.current(state.owners.get('anonymousId:g1')?.customerId ?? '')).toBe(first);
      expect(state.customers.get(first)?.members.some((member) => member.startsWith('record:'))).toBe(false);
      expect(state.identifiersOf(first).map((i) => i.value)).toEqual(['g1']);
      // Bounded: the records moved once and stay; the two are not merged again under these parameters.
      const again = new BatchResolver(state, settings({}, far)).rematch([...state.records.keys()].sort(), {
        id: 'rematch:far-again',
        time: '2024-03-02T00:00:00.000Z',
      });
      expect(again.moves).toEqual([]);
      expect(again.merges).toEqual([]);
    });

    it("marks the records of a customer merged after a concurrent creation, the event's own record among them", () => {
      const state = emptyState();
      const strict = { ...initialMatchParameters('strict'), thresholds: { autoMerge: 1000, review: 999 } };
      const a = resolvedId(
        new BatchResolver(state, settings({}, strict)).resolve([
          event({ type: 'identify', anonymousId: 'c1', traits: person }, '2024-01-01T00:00:00.000Z'),
        ]),
      );
      // Created in an earlier round of the same batch (another instance wrote the lookalike meanwhile): matched again.
      const round1 = new BatchResolver(state, settings()).resolve([
        event({ type: 'identify', anonymousId: 'c2', traits: { email: 'jon@mail.org' } }, '2024-01-02T00:00:00.000Z'),
      ]);
      const b = resolvedId(round1);
      const round2 = new BatchResolver(state, settings(), new Set([b])).resolve([
        event({ type: 'identify', anonymousId: 'c2', traits: { ...person, firstName: 'Jon' } }, '2024-01-02T00:00:00.000Z'),
      ]);
      expect(round2.merges).toEqual([
        expect.objectContaining({ survivorId: a, mergedId: b, reason: expect.stringMatching(/concurrently/) }),
      ]);
      // The event's own record belongs to the merged customer: stored under it, and marked.
      const record = round2.newRecords[0];
      expect(record?.customerId).toBe(b);
      expect(record?.linked).toMatchObject({ merged: { customerId: b }, parametersVersion: 'test' });
      expect(round2.marks).toHaveLength(1);
      expect(state.customers.get(a)?.members).toContain(`record:${record?.linked?.eventId ?? ''}`);
    });

    it('re-resolves the linked records of customers merged, as evidence arrives', () => {
      const { state, father, earlyRecord, son } = staged();
      // The father's customer merges with a loyalty-card customer (the card shown with his
      // e-mail): the early record of the son in it is resolved again, and moves to his customer.
      const merged = new BatchResolver(state, settings({}, wary)).resolve([
        event({ type: 'identify', anonymousId: 'v1', traits: { loyaltyCard: 'L-77' } }, '2025-01-01T00:00:00.000Z'),
        event(
          { type: 'identify', anonymousId: 'v2', traits: { email: 'jon84@mail.org', loyaltyCard: 'L-77' } },
          '2025-01-02T00:00:00.000Z',
        ),
      ]);
      expect(merged.merges[0]).toMatchObject({ survivorId: father });
      expect(merged.moves).toEqual([]);
      const plan = new BatchResolver(state, settings({}, wary)).reResolve([father], {
        id: 're-resolution:v2',
        time: '2025-01-02T00:00:00.000Z',
      });
      expect(plan.moves).toEqual([expect.objectContaining({ recordId: earlyRecord, fromId: father, toId: son })]);
      expect(state.current(state.records.get(earlyRecord)?.customerId ?? '')).toBe(son);
    });
  });
});

describe('readEvent', () => {
  const identify = (): ResolverEvent => event({ type: 'identify', userId: 'u9', traits: { email: 'Jo@Mail.org', ...person } });

  it('reads an event once for its lookups and its resolution under the same rules', () => {
    const input = identify();
    const first = readEvent(input, settings());
    expect(readEvent(input, settings())).toBe(first);
    expect(first.extraction.identifiers.map(({ type, value }) => `${type}:${value}`).sort()).toEqual([
      'email:jo@mail.org',
      'phone:+61412555123',
      'userId:u9',
    ]);
    expect(first.prepared).toEqual(prepareRecord('incoming', personalTraitsOf(input.data) ?? {}));
    // The lookups of the batch and its plan come from that one reading.
    const lookups = lookupsFor([input], settings());
    expect(lookups.identifierIds.length).toBe(2);
    expect(lookups.blockingKeys.length).toBeGreaterThan(0);
    expect(readEvent(input, settings())).toBe(first);
  });

  it('reads again under other rules, or with matching switched off', () => {
    const input = identify();
    const first = readEvent(input, settings());
    const withoutMatching = readEvent(input, settings({ matching: undefined }));
    expect(withoutMatching).not.toBe(first);
    expect(withoutMatching.prepared).toBeUndefined();
    const { email: _email, ...withoutEmail } = defaultIdentityRules.identifierTypes;
    const otherRules = compileIdentityRules({ ...defaultIdentityRules, version: 'no-email', identifierTypes: withoutEmail });
    const underOther = readEvent(input, settings({ rules: otherRules }));
    expect(underOther.extraction.identifiers.map(({ type }) => type)).not.toContain('email');
    expect(first.extraction.identifiers.map(({ type }) => type)).toContain('email');
  });
});
