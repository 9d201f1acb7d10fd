import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';
import { parseProfilingConfig, ProfilingConfig, ProfilingConfigError } from '../profiling/domain';

export const needsProfilingEnvSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3003),
  /** The management listener: health and metrics, apart from the authenticated API. */
  MANAGEMENT_PORT: configFields.listenPort.default(3103),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('needs_profiling'),
  KAFKA_GROUP_ID: z.string().default('needs-profiling'),
  /**
   * Path of a JSON document with the profiling configuration (question bank, stage rules,
   * archetypes, inference weights). Every field has a default, so neither this nor
   * NEEDS_PROFILING_CONFIG is required.
   */
  NEEDS_PROFILING_CONFIG_FILE: z.string().min(1).optional(),
  /** The same document inline, for deployments that prefer an environment variable to a mounted file. */
  NEEDS_PROFILING_CONFIG: z.string().min(1).optional(),
  /** How often the stage sweep lets time pass over every profile (lapsing, lost); 0 turns it off. */
  NEEDS_STAGE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Profiles read per page by the sweep: it never holds more than one page in memory. */
  NEEDS_STAGE_SWEEP_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Lifetime of the sweep's Redis lock; extended every third of it while the sweep works, so only a dead sweeper loses it. */
  NEEDS_STAGE_SWEEP_LOCK_TTL_MS: z.coerce.number().int().min(1000).default(300_000),
  /** Applied events kept per customer to rebuild profiles when identity resolution splits a customer. */
  NEEDS_JOURNAL_LIMIT: z.coerce.number().int().min(0).max(5000).default(500),
});

export const needsProfilingConfigSchema = needsProfilingEnvSchema.transform((env, ctx) => {
  const file = env.NEEDS_PROFILING_CONFIG_FILE;
  const inline = env.NEEDS_PROFILING_CONFIG;
  if (file !== undefined && inline !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['NEEDS_PROFILING_CONFIG'],
      message: 'set either NEEDS_PROFILING_CONFIG or NEEDS_PROFILING_CONFIG_FILE, not both',
    });
    return z.NEVER;
  }
  const variable = file !== undefined ? 'NEEDS_PROFILING_CONFIG_FILE' : 'NEEDS_PROFILING_CONFIG';
  let document: unknown = {};
  try {
    if (file !== undefined) document = JSON.parse(readFileSync(file, 'utf8'));
    else if (inline !== undefined) document = JSON.parse(inline);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: [variable],
      message: `cannot read the profiling configuration: ${error instanceof Error ? error.message : String(error)}`,
    });
    return z.NEVER;
  }
  let profiling: ProfilingConfig;
  try {
    profiling = parseProfilingConfig(document);
  } catch (error) {
    if (!(error instanceof ProfilingConfigError)) throw error;
    // One line per problem, named by its path inside the document, like every other setting.
    for (const problem of error.problems)
      ctx.addIssue({ code: 'custom', path: [variable, ...problem.path.split('.')], message: problem.message });
    return z.NEVER;
  }
  return { ...env, profiling };
});

export type NeedsProfilingConfig = z.output<typeof needsProfilingConfigSchema>;

export function loadNeedsProfilingConfig(env: Env = process.env): NeedsProfilingConfig {
  return loadConfig(needsProfilingConfigSchema, env);
}
