import { z } from 'zod';
import { baseServiceConfigShape, configFields, Env, loadConfig } from '@o2o/config';

const url = configFields.url(['http', 'https']);

export const consoleConfigSchema = z
  .object({
    ...baseServiceConfigShape,
    HTTP_PORT: configFields.port.default(8080),
    MANAGEMENT_PORT: configFields.listenPort.default(8180),
    MONGO_DB: baseServiceConfigShape.MONGO_DB.default('console'),
    KAFKA_GROUP_ID: z.string().default('console'),
    /** The console shows what happens from now on; it rebuilds nothing from the topics' past. */
    KAFKA_FROM_BEGINNING: configFields.booleanFlag.default(false),
    /** Where browsers reach the console: the login's redirect URI is `<CONSOLE_PUBLIC_URL>/callback`. Defaults to http://127.0.0.1:<HTTP_PORT>. */
    CONSOLE_PUBLIC_URL: url.optional(),
    /** The public OpenID Connect client people log in with (authorization code + PKCE, held by the console, never the browser). */
    CONSOLE_OIDC_CLIENT_ID: z.string().min(1).default('o2o-console'),
    /** Longest a login lasts (it ends sooner when the access token expires). */
    CONSOLE_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(28800),
    CONSOLE_INGESTION_URL: url.default('http://127.0.0.1:3000'),
    CONSOLE_IDENTITY_URL: url.default('http://127.0.0.1:3001'),
    CONSOLE_VALUE_URL: url.default('http://127.0.0.1:3002'),
    CONSOLE_NEEDS_URL: url.default('http://127.0.0.1:3003'),
    CONSOLE_CAMPAIGN_URL: url.default('http://127.0.0.1:3004'),
    /** The services' management listeners (health and metrics live there, off the API port). */
    CONSOLE_INGESTION_MANAGEMENT_URL: url.default('http://127.0.0.1:3100'),
    CONSOLE_IDENTITY_MANAGEMENT_URL: url.default('http://127.0.0.1:3101'),
    CONSOLE_VALUE_MANAGEMENT_URL: url.default('http://127.0.0.1:3102'),
    CONSOLE_NEEDS_MANAGEMENT_URL: url.default('http://127.0.0.1:3103'),
    CONSOLE_CAMPAIGN_MANAGEMENT_URL: url.default('http://127.0.0.1:3104'),
    /**
     * Write key of the ingestion source the console's answers and offer outcomes arrive through
     * (its channel is the agents' channel). The default is the public demo call-centre key,
     * refused in production.
     */
    CONSOLE_WRITE_KEY: z.string().min(1).default('demo-call-centre-write-key'),
    /** The channel the next question is worded for and the next action decided for. */
    CONSOLE_CHANNEL: z.string().min(1).default('call-centre'),
    /** Folder of the built single-page app (vite build). */
    CONSOLE_WEB_DIR: z.string().min(1).optional(),
    /** Timeline entries kept per customer (Redis), and for how long. */
    CONSOLE_TIMELINE_LIMIT: z.coerce.number().int().min(1).max(1000).default(50),
    CONSOLE_TIMELINE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(30 * 86400),
    /** Seconds between operations samples (consumer lag, events per second); the screen shows the last hour. 0 turns sampling off. */
    CONSOLE_OPS_SAMPLE_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
    /** Privacy requests started through the console that it lists (their ids, kinds and who asked; never the identifier). */
    CONSOLE_PRIVACY_REQUESTS_KEPT: z.coerce.number().int().min(1).max(10000).default(200),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.CONSOLE_WRITE_KEY.startsWith('demo-')) {
      ctx.addIssue({
        code: 'custom',
        path: ['CONSOLE_WRITE_KEY'],
        message: 'the public demo write key is refused in production: create a source for the console',
      });
    }
  })
  .transform((config) => ({
    ...config,
    CONSOLE_PUBLIC_URL: (config.CONSOLE_PUBLIC_URL ?? `http://127.0.0.1:${config.HTTP_PORT}`).replace(/\/$/, ''),
  }));

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

export function loadConsoleConfig(env: Env = process.env): ConsoleConfig {
  return loadConfig(consoleConfigSchema, env);
}
