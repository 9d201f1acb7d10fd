import type { IdentityRules } from '../../../matching/domain';

/**
 * The identity rules in force (IdentityRulesProvider: the configured rules plus the identifier
 * types added through the API): identifier types, their normalisers and per-customer limits.
 * Synchronous, so extraction on the hot path never waits for the database.
 */
export abstract class RulesInForce {
  abstract current(): IdentityRules;
}
