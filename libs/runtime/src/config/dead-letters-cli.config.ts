import { z } from 'zod';
import { loadConfig } from '@o2o/config';

/**
 * Credentials of `npm run dead-letters`: a bearer token as is (OPERATOR_TOKEN), else a token by
 * the client-credentials grant from AUTH_ISSUER for OPERATOR_CLIENT_ID / OPERATOR_CLIENT_SECRET
 * (locally the demo operator client of `npm start`'s identity provider).
 */
export const deadLettersCliConfigSchema = z.object({
  OPERATOR_TOKEN: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().url().default('http://127.0.0.1:3005'),
  OPERATOR_CLIENT_ID: z.string().min(1).default('demo-operator'),
  OPERATOR_CLIENT_SECRET: z.string().min(1).default('demo-operator-demo-secret'),
});
export type DeadLettersCliConfig = z.infer<typeof deadLettersCliConfigSchema>;

export function loadDeadLettersCliConfig(): DeadLettersCliConfig {
  return loadConfig(deadLettersCliConfigSchema, process.env);
}
