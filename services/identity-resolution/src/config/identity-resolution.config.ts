import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { baseServiceConfigShape, ConfigError, configFields, DEVELOPMENT_DATA_KEYS_MASTER_KEY, loadConfig, Env } from '@o2o/config';
import { lateEventPolicySchema } from '@o2o/contracts';
import {
  compileIdentityRules,
  defaultIdentityRules,
  IdentityRules,
  IdentityRulesConfig,
  identityRulesSchema,
  InvalidIdentityRulesError,
  OverMergeGuardConfig,
} from '../matching/domain';

export const identityResolutionConfigSchema = z
  .object({
    ...baseServiceConfigShape,
    HTTP_PORT: configFields.port.default(3001),
    /** The management listener: health and metrics, apart from the authenticated API. */
    MANAGEMENT_PORT: configFields.listenPort.default(3101),
    MONGO_DB: baseServiceConfigShape.MONGO_DB.default('identity_resolution'),
    KAFKA_GROUP_ID: z.string().default('identity-resolution'),
    /** Path of a JSON file with the identity rules (identityRulesSchema); wins over IDENTITY_RULES_JSON. */
    IDENTITY_RULES_FILE: z.string().optional(),
    /** The identity rules as inline JSON; without either setting the default rules apply. */
    IDENTITY_RULES_JSON: z.string().optional(),
    /** Identifier types whose deterministic links count as weak for bridge detection (a shared family device). */
    IDENTITY_WEAK_LINK_TYPES: z
      .string()
      .default('anonymousId')
      .transform((s) =>
        s
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    /** No customer grows beyond this many original customers and linked records without review. */
    OVER_MERGE_MAX_CLUSTER_SIZE: z.coerce.number().int().min(2).default(20),
    /** Clusters of at least this size count as large for bridge detection. */
    OVER_MERGE_BRIDGE_CLUSTER_SIZE: z.coerce.number().int().min(2).default(3),
    /** Probabilistic links at or above this weight may join two large clusters on their own. */
    OVER_MERGE_STRONG_LINK_WEIGHT: z.coerce.number().default(25),
    /** Bits above the auto-merge threshold a link needs when only household traits agree (surname, address, landline). */
    OVER_MERGE_HOUSEHOLD_LINK_MARGIN: z.coerce.number().min(0).default(2),
    /** Blocking keys with more postings than this are ignored, like stop words. */
    MATCHING_MAX_BLOCK_SIZE: z.coerce.number().int().min(2).default(200),
    /** How often an instance re-reads the current match parameters (another instance may have re-estimated). */
    MATCHING_PARAMETERS_REFRESH_MS: z.coerce.number().int().min(100).default(30000),
    /** How often each instance checks whether the matcher should train again (0: never on a schedule, only on request). */
    MATCHING_TRAINING_INTERVAL_MS: z.coerce.number().int().min(0).default(15000),
    /** Train again once the stored trait records have grown by this factor since the current parameters were estimated. */
    MATCHING_TRAINING_GROWTH: z.coerce.number().gt(1).default(1.5),
    /** Lifetime of cached lookups in Redis; every write of a customer rewrites its entries anyway. */
    LOOKUP_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
    /** Lookup answers held in each process's memory (kept current by Redis client-side caching); 0 turns the local copy off. */
    LOOKUP_LOCAL_CACHE_MAX: z.coerce.number().int().min(0).default(100000),
    /** Upper bound on the life of an in-process lookup answer, whatever the invalidation stream does. */
    LOOKUP_LOCAL_CACHE_TTL_MS: z.coerce.number().int().min(1).default(60000),
    // Privacy settings read by src/privacy (another engineer's module; defaults are placeholders
    // until that module settles them).
    /** Services that must answer every privacy request. */
    PRIVACY_SERVICES: z
      .string()
      .default('ingestion,identity-resolution,value-scoring,needs-profiling,campaign-customization')
      .transform((s) =>
        s
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    /** What happens to an event arriving for an erased customer. */
    PRIVACY_LATE_EVENT_POLICY: lateEventPolicySchema.default('drop'),
    /** How long an export waits for every service's part. */
    PRIVACY_EXPORT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60000),
    /** How often requests recorded but not yet on privacy.requests (a crash or outage between the two) are published. */
    PRIVACY_OUTBOX_RELAY_MS: z.coerce.number().int().min(0).default(5000),
    /** How often each instance publishes graph changes written but never published (re-resolution moves, reviewers' merges, operators' splits; 0: never). */
    GRAPH_OUTBOX_RELAY_MS: z.coerce.number().int().min(0).default(5000),
    /** Entries (merges, splits, moves, review decisions) a customer's history keeps: the most recent. */
    IDENTITY_HISTORY_KEPT: z.coerce.number().int().min(1).default(200),
    /**
     * Identifiers one customer keeps per type, as `type=count` pairs separated by commas: beyond
     * the count the oldest (first seen earliest) are retired, so a busy device-hopping customer's
     * snapshot and per-batch reads stay bounded. Types with a link limit (maxPerCustomer) need none.
     */
    IDENTIFIERS_KEPT: z
      .string()
      .default('anonymousId=100')
      .transform((s, ctx) => {
        const kept = new Map<string, number>();
        for (const pair of s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const match = /^([A-Za-z][\w-]*)=([1-9]\d*)$/.exec(pair);
          if (!match?.[1] || !match[2]) {
            ctx.addIssue({ code: 'custom', message: `expected type=count (count at least 1), got "${pair}"` });
            return z.NEVER;
          }
          kept.set(match[1], Number(match[2]));
        }
        return kept;
      }),
    /**
     * Master key wrapping the data keys of the key store this service holds (src/keys): 32
     * random bytes, base64 (`openssl rand -base64 32`). Required in production.
     */
    DATA_KEYS_MASTER_KEY: z
      .string()
      .default(DEVELOPMENT_DATA_KEYS_MASTER_KEY)
      .refine((value) => Buffer.from(value, 'base64').length === 32, '32 bytes, base64'),
  })
  .transform((config) => ({
    ...config,
    /** Over-merge guard settings, shaped for the domain. */
    overMergeGuard: {
      maxClusterSize: config.OVER_MERGE_MAX_CLUSTER_SIZE,
      bridgeClusterSize: config.OVER_MERGE_BRIDGE_CLUSTER_SIZE,
      strongLinkWeight: config.OVER_MERGE_STRONG_LINK_WEIGHT,
      minLinksBetweenLargeClusters: 2,
      householdLinkMargin: config.OVER_MERGE_HOUSEHOLD_LINK_MARGIN,
    } satisfies OverMergeGuardConfig,
  }));

export type IdentityResolutionConfig = z.infer<typeof identityResolutionConfigSchema> & {
  /** The compiled identity rules, validated at boot (types added through the API join them at run time). */
  readonly rules: IdentityRules;
  /** The configured rules as validated, before compiling: what run-time types are added to. */
  readonly rulesInput: IdentityRulesConfig;
};

/**
 * Loads the environment and the identity rules it points at. A bad rules file stops the process
 * at boot like any other bad setting, with the variable and the offending rule path named.
 */
export function loadIdentityResolutionConfig(env: Env = process.env): IdentityResolutionConfig {
  const config = loadConfig(identityResolutionConfigSchema, env);
  const rulesInput = loadIdentityRulesInput(config.IDENTITY_RULES_FILE, config.IDENTITY_RULES_JSON);
  return { ...config, rules: compileIdentityRules(rulesInput), rulesInput };
}

export function loadIdentityRules(file: string | undefined, inline: string | undefined): IdentityRules {
  return compileIdentityRules(loadIdentityRulesInput(file, inline));
}

/** The rules named by the settings (or the defaults), validated and compiled once to report every problem at boot. */
function loadIdentityRulesInput(file: string | undefined, inline: string | undefined): IdentityRulesConfig {
  const variable = file !== undefined ? 'IDENTITY_RULES_FILE' : 'IDENTITY_RULES_JSON';
  let input: unknown = defaultIdentityRules;
  if (file !== undefined || inline !== undefined) {
    let text: string;
    try {
      text = file !== undefined ? readFileSync(file, 'utf8') : (inline ?? '');
    } catch (error) {
      throw new ConfigError([
        { variable, problem: `cannot read ${file ?? ''}: ${error instanceof Error ? error.message : String(error)}` },
      ]);
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new ConfigError([{ variable, problem: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }]);
    }
  }
  try {
    compileIdentityRules(input);
    return identityRulesSchema.parse(input);
  } catch (error) {
    if (error instanceof InvalidIdentityRulesError) {
      throw new ConfigError(
        error.issues.map((issue) => ({
          variable: `${variable} ${issue.split(':')[0] ?? ''}`.trim(),
          problem: issue.slice(issue.indexOf(':') + 1).trim(),
        })),
      );
    }
    throw error;
  }
}
