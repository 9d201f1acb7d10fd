import { defaultIdentityRules } from './default-identity.rules';
import { compileIdentityRules, InvalidIdentityRulesError, IdentityRulesInput } from './identity-rules.schema';

function withChanges(change: (rules: IdentityRulesInput) => IdentityRulesInput): IdentityRulesInput {
  return change(structuredClone(defaultIdentityRules));
}

describe('compileIdentityRules', () => {
  it('compiles the default rules', () => {
    const rules = compileIdentityRules(defaultIdentityRules);
    expect([...rules.types.keys()].sort()).toEqual(
      ['anonymousId', 'crmId', 'email', 'licencePlate', 'loyaltyCard', 'nationalId', 'phone', 'userId'].sort(),
    );
    expect(rules.alias).toEqual({ effect: 'merge', previousIdType: 'anonymousId' });
  });

  it('normalises blocked values with the type normaliser', () => {
    const rules = compileIdentityRules(
      withChanges((r) => ({
        ...r,
        identifierTypes: {
          ...r.identifierTypes,
          email: { ...r.identifierTypes['email'], normaliser: 'email', unique: true, maxPerCustomer: 5, priority: 80, sources: ['traits.email'], blockedValues: [' Test@Test.COM '] },
        },
      })),
    );
    expect(rules.types.get('email')?.blockedValues.has('test@test.com')).toBe(true);
    expect(rules.types.get('phone')?.blockedValues.has('+61400000000')).toBe(true);
  });

  it('accepts a declared identifier type beyond the built-in ones', () => {
    const rules = compileIdentityRules(
      withChanges((r) => ({
        ...r,
        identifierTypes: {
          ...r.identifierTypes,
          membershipNumber: { normaliser: 'compactUpper', unique: true, maxPerCustomer: 1, priority: 75, sources: ['traits.membershipNumber'] },
        },
      })),
    );
    expect(rules.types.get('membershipNumber')).toMatchObject({ unique: true, maxPerCustomer: 1, priority: 75 });
  });

  it.each<[string, (r: IdentityRulesInput) => IdentityRulesInput, RegExp]>([
    ['an unknown alias type', (r) => ({ ...r, alias: { effect: 'merge', previousIdType: 'deviceId' } }), /alias\.previousIdType/],
    ['an unknown phone country', (r) => ({ ...r, phone: { defaultCountry: 'XX', strictness: 'valid' } }), /phone\.defaultCountry/],
    [
      'an invalid blocked pattern',
      (r) => ({ ...r, identifierTypes: { ...r.identifierTypes, crmId: { normaliser: 'exact', unique: true, maxPerCustomer: 1, priority: 1, sources: ['traits.crm'], blockedPatterns: ['('] } }) }),
      /blockedPatterns/,
    ],
    [
      'a blocked value that cannot normalise',
      (r) => ({ ...r, identifierTypes: { ...r.identifierTypes, phone: { normaliser: 'phone', unique: false, maxPerCustomer: 1, priority: 1, sources: ['traits.phone'], blockedValues: ['not a phone'] } }) }),
      /blockedValues/,
    ],
    [
      'a zero limit',
      (r) => ({ ...r, identifierTypes: { ...r.identifierTypes, userId: { normaliser: 'exact', unique: true, maxPerCustomer: 0, priority: 1, sources: ['userId'] } }) }),
      /maxPerCustomer/,
    ],
    [
      'a bad type name',
      (r) => ({ ...r, identifierTypes: { ...r.identifierTypes, 'Bad-Name': { normaliser: 'exact', unique: true, maxPerCustomer: 1, priority: 1, sources: ['x'] } }) }),
      /identifierTypes/,
    ],
  ])('refuses %s', (_name, change, message) => {
    expect(() => compileIdentityRules(withChanges(change))).toThrow(InvalidIdentityRulesError);
    expect(() => compileIdentityRules(withChanges(change))).toThrow(message);
  });
});
