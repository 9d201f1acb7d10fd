import { defaultIdentityRules } from './default-identity.rules';
import { extractIdentifiers } from './identifier.extractor';
import { compileIdentityRules } from './identity-rules.schema';

const rules = compileIdentityRules(defaultIdentityRules);

describe('extractIdentifiers', () => {
  it('reads userId, anonymousId and traits, normalised, in priority order', () => {
    const extraction = extractIdentifiers(
      {
        type: 'identify',
        userId: ' u-1 ',
        anonymousId: 'dev-9',
        traits: { email: ' Jane@Mail.com.au', phone: '0412 555 123', loyaltyCard: '6001 2345 6789', licencePlate: 'abc-123' },
        context: { traits: { email: 'jane@mail.com.au', crmId: 'crm 77' } },
      },
      rules,
    );
    expect(extraction.identifiers.map(({ type, value }) => [type, value])).toEqual([
      ['userId', 'u-1'],
      ['crmId', 'CRM77'],
      ['email', 'jane@mail.com.au'],
      ['loyaltyCard', '600123456789'],
      ['phone', '+61412555123'],
      ['licencePlate', 'ABC123'],
      ['anonymousId', 'dev-9'],
    ]);
    expect(extraction.identifiers.find((identifier) => identifier.type === 'email')?.source).toBe('traits.email');
    expect(extraction.rejected).toEqual([]);
  });

  it('reads numeric ids and arrays of values', () => {
    const extraction = extractIdentifiers({ type: 'identify', userId: 42, traits: { email: ['a@x.com', 'b@x.com'] } }, rules);
    expect(extraction.identifiers.map(({ type, value }) => `${type}:${value}`)).toEqual(['userId:42', 'email:a@x.com', 'email:b@x.com']);
  });

  it('rejects invalid and blocked values with a reason', () => {
    const extraction = extractIdentifiers(
      { type: 'identify', anonymousId: 'undefined', traits: { email: 'TEST@test.com', phone: 'n/a', nationalId: '000000000' } },
      rules,
    );
    expect(extraction.identifiers).toEqual([]);
    expect(extraction.rejected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'email', reason: expect.stringMatching(/^blocked value/) }),
        expect.objectContaining({ type: 'phone', reason: expect.stringMatching(/^invalid phone/) }),
        expect.objectContaining({ type: 'nationalId', reason: expect.stringMatching(/^blocked value.*matches/) }),
        expect.objectContaining({ type: 'anonymousId', reason: expect.stringMatching(/^blocked value/) }),
      ]),
    );
  });

  it('reads previousId of an alias call as the configured type when alias means merge', () => {
    const event = { type: 'alias', userId: 'u-1', previousId: 'anon-1' };
    expect(extractIdentifiers(event, rules).identifiers.map(({ type, value }) => `${type}:${value}`)).toEqual([
      'userId:u-1',
      'anonymousId:anon-1',
    ]);
    const ignoring = compileIdentityRules({ ...defaultIdentityRules, alias: { effect: 'ignore', previousIdType: 'anonymousId' } });
    expect(extractIdentifiers(event, ignoring).identifiers.map(({ type }) => type)).toEqual(['userId']);
  });

  it('ignores values hidden on the prototype chain and non-scalar values', () => {
    const traits = Object.create({ email: 'proto@x.com' }) as Record<string, unknown>;
    traits['phone'] = { number: '0412 555 123' };
    expect(extractIdentifiers({ type: 'identify', traits }, rules).identifiers).toEqual([]);
  });
  it("reads a phone without a country prefix in the country of the event's address", () => {
    const us = extractIdentifiers({ type: 'identify', traits: { phone: '(415) 555-2671', address: { country: 'US' } } }, rules).identifiers;
    expect(us.find((i) => i.type === 'phone')?.value).toBe('+14155552671');
    const fallback = extractIdentifiers(
      { type: 'identify', traits: { phone: '0412 555 123', address: { country: 'United States' } } },
      rules,
    ).identifiers;
    expect(fallback.find((i) => i.type === 'phone')?.value).toBe('+61412555123');
  });
});
