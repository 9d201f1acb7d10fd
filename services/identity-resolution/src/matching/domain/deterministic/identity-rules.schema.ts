import { z } from 'zod';
import { isSupportedPhoneCountry } from '../normalisation/phone.normaliser';
import { identifierNormaliserKinds, IdentifierNormaliserSettings, normaliseIdentifierValue } from './identifier-value.normaliser';

const IDENTIFIER_TYPE_NAME = /^[a-z][A-Za-z0-9]{0,63}$/u;
// Dot paths into a Segment message: "userId", "traits.email", "context.traits.phone".
const SOURCE_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/u;

export const identifierTypeRuleSchema = z.object({
  /** How values of this type are cleaned before comparison. */
  normaliser: z.enum(identifierNormaliserKinds),
  /**
   * A value of a unique type belongs to at most one customer, so two customers holding it are one
   * person (merge) and an event carrying it belongs to its holder. Non-unique types (a household
   * phone, a family car's plate) are recorded but never link customers on their own.
   */
  unique: z.boolean(),
  /** Most distinct values of this type one customer may hold; null for no limit. */
  maxPerCustomer: z.number().int().positive().nullable(),
  /** Higher priority identifiers decide first which customer an event belongs to. */
  priority: z.number().int().min(0).max(1000),
  /** Where the value is read from in a Segment message, in order. */
  sources: z.array(z.string().regex(SOURCE_PATH)).min(1),
  /** Values that never count as evidence (placeholders, shared shop phones); normalised on load. */
  blockedValues: z.array(z.string()).default([]),
  /** Regular expressions on the normalised value with the same effect as blockedValues. */
  blockedPatterns: z.array(z.string()).default([]),
  /**
   * Values are keyed in by people (national ids, passport numbers), so a wrong one is a slip, not
   * proof of another person: a value the customer does not hold does not stop a record from
   * joining it on its other traits; the matcher weighs the difference instead (a one-character
   * slip weakly, another value strongly). Equal values still link deterministically.
   */
  keyedByPeople: z.boolean().default(false),
  /**
   * People share values of this type (a family e-mail, a role mailbox, a fleet loyalty card): an
   * event carrying one whose person plainly differs from its holder (another first name, another
   * birth date) does not join the holder. The value is marked shared, no longer links anyone on
   * its own, and the two customers are recorded as related.
   */
  mayBeShared: z.boolean().default(false),
});
export type IdentifierTypeRuleInput = z.input<typeof identifierTypeRuleSchema>;

export const identityRulesSchema = z
  .object({
    /** Recorded with every decision so that a link can be explained with the rules in force. */
    version: z.string().min(1).max(64),
    identifierTypes: z.record(z.string().regex(IDENTIFIER_TYPE_NAME), identifierTypeRuleSchema),
    alias: z.object({
      /**
       * What an alias call means. merge: previousId and userId are one person, so the customers
       * holding them merge (limits still apply, a refused merge is reported). ignore: alias calls
       * carry no identity evidence, for sources known to send them carelessly.
       */
      effect: z.enum(['merge', 'ignore']),
      /** The identifier type previousId is read as (usually anonymousId). */
      previousIdType: z.string().regex(IDENTIFIER_TYPE_NAME),
    }),
    email: z.object({ stripPlusTags: z.boolean(), canonicaliseGmail: z.boolean() }),
    phone: z.object({ defaultCountry: z.string().length(2), strictness: z.enum(['valid', 'possible']) }),
  })
  .superRefine((rules, ctx) => {
    if (rules.alias.effect === 'merge' && rules.identifierTypes[rules.alias.previousIdType] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['alias', 'previousIdType'], message: 'is not a declared identifier type' });
    }
    if (!isSupportedPhoneCountry(rules.phone.defaultCountry)) {
      ctx.addIssue({ code: 'custom', path: ['phone', 'defaultCountry'], message: 'is not a country libphonenumber knows' });
    }
    for (const [type, rule] of Object.entries(rules.identifierTypes)) {
      rule.blockedPatterns.forEach((pattern, index) => {
        try {
          new RegExp(pattern, 'u');
        } catch {
          ctx.addIssue({
            code: 'custom',
            path: ['identifierTypes', type, 'blockedPatterns', index],
            message: 'is not a valid regular expression',
          });
        }
      });
    }
  });

export type IdentityRulesInput = z.input<typeof identityRulesSchema>;
export type IdentityRulesConfig = z.output<typeof identityRulesSchema>;

export interface CompiledIdentifierType {
  readonly type: string;
  readonly normaliser: IdentityRulesConfig['identifierTypes'][string]['normaliser'];
  readonly unique: boolean;
  readonly maxPerCustomer: number | null;
  readonly priority: number;
  readonly sources: readonly string[];
  readonly blockedValues: ReadonlySet<string>;
  readonly blockedPatterns: readonly RegExp[];
  readonly keyedByPeople: boolean;
  readonly mayBeShared: boolean;
}

/** Rules ready for the pure functions: blocked values normalised, patterns compiled. */
export interface IdentityRules {
  readonly version: string;
  readonly types: ReadonlyMap<string, CompiledIdentifierType>;
  readonly alias: IdentityRulesConfig['alias'];
  readonly normaliserSettings: IdentifierNormaliserSettings;
}

export class InvalidIdentityRulesError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid identity rules: ${issues.join('; ')}`);
    this.name = 'InvalidIdentityRulesError';
  }
}

/**
 * Validates and compiles the rules once, at start-up or on reload. A blocked value is written
 * however the operator likes ("Test@Test.com", "0400 000 000") and matched in normalised form.
 */
export function compileIdentityRules(input: unknown): IdentityRules {
  const parsed = identityRulesSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidIdentityRulesError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const config = parsed.data;
  const settings: IdentifierNormaliserSettings = {
    email: config.email,
    phone: config.phone,
  };
  const problems: string[] = [];
  const types = new Map<string, CompiledIdentifierType>();
  for (const [type, rule] of Object.entries(config.identifierTypes)) {
    const blockedValues = new Set<string>();
    for (const raw of rule.blockedValues) {
      const result = normaliseIdentifierValue(rule.normaliser, raw, settings);
      if (result.ok) blockedValues.add(result.value);
      else problems.push(`identifierTypes.${type}.blockedValues: ${JSON.stringify(raw)} does not normalise (${result.detail})`);
    }
    types.set(type, {
      type,
      normaliser: rule.normaliser,
      unique: rule.unique,
      maxPerCustomer: rule.maxPerCustomer,
      priority: rule.priority,
      sources: rule.sources,
      blockedValues,
      blockedPatterns: rule.blockedPatterns.map((pattern) => new RegExp(pattern, 'u')),
      keyedByPeople: rule.keyedByPeople,
      mayBeShared: rule.mayBeShared,
    });
  }
  if (problems.length > 0) throw new InvalidIdentityRulesError(problems);
  return { version: config.version, types, alias: config.alias, normaliserSettings: settings };
}
