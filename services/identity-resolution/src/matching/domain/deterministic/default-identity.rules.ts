import { IdentityRulesInput } from './identity-rules.schema';

/**
 * A starting point for configuration, not a policy: the service loads its own rules object and
 * validates it with identityRulesSchema. Choices worth knowing:
 * - phone and licencePlate are not unique: households share landlines and cars, so they feed
 *   probabilistic matching but never merge customers alone;
 * - anonymousId is unique but has no per-customer limit (one person, many devices);
 * - e-mail keeps plus tags and gmail dots (see EmailNormaliserOptions).
 */
export const defaultIdentityRules: IdentityRulesInput = {
  version: 'default-1',
  identifierTypes: {
    userId: {
      normaliser: 'exact',
      unique: true,
      maxPerCustomer: 1,
      priority: 100,
      sources: ['userId'],
      blockedValues: ['null', 'undefined', '0', 'anonymous', 'guest'],
    },
    crmId: {
      normaliser: 'compactUpper',
      unique: true,
      maxPerCustomer: 1,
      priority: 90,
      sources: ['traits.crmId', 'context.traits.crmId', 'properties.crmId'],
    },
    nationalId: {
      normaliser: 'compactUpper',
      unique: true,
      maxPerCustomer: 1,
      priority: 85,
      sources: ['traits.nationalId', 'context.traits.nationalId'],
      blockedPatterns: ['^0+$', '^(\\d)\\1+$', '^123456789$'],
      keyedByPeople: true,
    },
    email: {
      normaliser: 'email',
      unique: true,
      maxPerCustomer: 5,
      priority: 80,
      sources: ['traits.email', 'context.traits.email', 'properties.email'],
      blockedValues: ['test@test.com', 'test@example.com', 'noemail@noemail.com', 'no@email.com', 'none@none.com', 'a@a.com'],
      blockedPatterns: ['^(?:no-?reply|do-?not-?reply)@', '@(?:example|test)\\.(?:com|org|net)$'],
      mayBeShared: true,
    },
    loyaltyCard: {
      normaliser: 'compactUpper',
      unique: true,
      maxPerCustomer: 3,
      priority: 70,
      sources: ['traits.loyaltyCard', 'context.traits.loyaltyCard', 'properties.loyaltyCard'],
      mayBeShared: true,
    },
    phone: {
      normaliser: 'phone',
      unique: false,
      maxPerCustomer: 5,
      priority: 40,
      sources: ['traits.phone', 'context.traits.phone', 'properties.phone'],
      blockedValues: ['0400 000 000', '0412 345 678', '(02) 9999 9999'],
    },
    licencePlate: {
      normaliser: 'compactUpper',
      unique: false,
      maxPerCustomer: 10,
      priority: 30,
      sources: ['traits.licencePlate', 'context.traits.licencePlate', 'properties.licencePlate'],
    },
    anonymousId: {
      normaliser: 'exact',
      unique: true,
      maxPerCustomer: null,
      priority: 10,
      sources: ['anonymousId'],
      blockedValues: ['null', 'undefined', '0', 'anonymous', '00000000-0000-0000-0000-000000000000'],
    },
  },
  alias: { effect: 'merge', previousIdType: 'anonymousId' },
  email: { stripPlusTags: false, canonicaliseGmail: false },
  phone: { defaultCountry: 'AU', strictness: 'valid' },
};
