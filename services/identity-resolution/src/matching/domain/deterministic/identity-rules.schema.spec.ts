import { defaultIdentityRules } from './default-identity.rules';
import { compileIdentityRules, InvalidIdentityRulesError, IdentityRulesInput } from './identity-rules.schema';

type TypeRule = IdentityRulesInput['identifierTypes'][string];

function withChanges(change: (rules: IdentityRulesInput) => IdentityRulesInput): IdentityRulesInput {
  return change(structuredClone(defaultIdentityRules));
}

function withType(type: string, rule: TypeRule): IdentityRulesInput {
  return withChanges((r) => ({ ...r, identifierTypes: { ...r.identifierTypes, [type]: rule } }));
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
      withType('email', {
        normaliser: 'email',
        unique: true,
        maxPerCustomer: 5,
        priority: 80,
        sources: ['traits.email'],
        blockedValues: [' Test@Test.COM '],
      }),
    );
    expect(rules.types.get('email')?.blockedValues.has('test@test.com')).toBe(true);
    expect(rules.types.get('phone')?.blockedValues.has('+61400000000')).toBe(true);
  });

  it('accepts a declared identifier type beyond the built-in ones', () => {
    const rules = compileIdentityRules(
      withType('membershipNumber', {
        normaliser: 'compactUpper',
        unique: true,
        maxPerCustomer: 1,
        priority: 75,
        sources: ['traits.membershipNumber'],
      }),
    );
    expect(rules.types.get('membershipNumber')).toMatchObject({ unique: true, maxPerCustomer: 1, priority: 75 });
  });

  it.each<[string, () => IdentityRulesInput, RegExp]>([
    [
      'an unknown alias type',
      () => withChanges((r) => ({ ...r, alias: { effect: 'merge', previousIdType: 'deviceId' } })),
      /alias\.previousIdType/,
    ],
    [
      'an unknown phone country',
      () => withChanges((r) => ({ ...r, phone: { defaultCountry: 'XX', strictness: 'valid' } })),
      /phone\.defaultCountry/,
    ],
    [
      'an invalid blocked pattern',
      () =>
        withType('crmId', {
          normaliser: 'exact',
          unique: true,
          maxPerCustomer: 1,
          priority: 1,
          sources: ['traits.crm'],
          blockedPatterns: ['('],
        }),
      /blockedPatterns/,
    ],
    [
      'a blocked value that cannot normalise',
      () =>
        withType('phone', {
          normaliser: 'phone',
          unique: false,
          maxPerCustomer: 1,
          priority: 1,
          sources: ['traits.phone'],
          blockedValues: ['not a phone'],
        }),
      /blockedValues/,
    ],
    [
      'a zero limit',
      () => withType('userId', { normaliser: 'exact', unique: true, maxPerCustomer: 0, priority: 1, sources: ['userId'] }),
      /maxPerCustomer/,
    ],
    [
      'a bad type name',
      () => withType('Bad-Name', { normaliser: 'exact', unique: true, maxPerCustomer: 1, priority: 1, sources: ['x'] }),
      /identifierTypes/,
    ],
    [
      'a bad source path',
      () => withType('crmId', { normaliser: 'exact', unique: true, maxPerCustomer: 1, priority: 1, sources: ['traits..crm'] }),
      /sources/,
    ],
  ])('refuses %s', (_name, build, message) => {
    expect(() => compileIdentityRules(build())).toThrow(InvalidIdentityRulesError);
    expect(() => compileIdentityRules(build())).toThrow(message);
  });
});
