import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

export const identityResolutionConfigSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3001),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('identity_resolution'),
  KAFKA_GROUP_ID: z.string().default('identity-resolution'),
});

export type IdentityResolutionConfig = z.infer<typeof identityResolutionConfigSchema>;

export function loadIdentityResolutionConfig(env: Env = process.env): IdentityResolutionConfig {
  return loadConfig(identityResolutionConfigSchema, env);
}
