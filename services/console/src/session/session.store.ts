import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';

/** A person logged in to the console: their access token stays here, never in the browser. */
export interface ConsoleSession {
  subject: string;
  name: string;
  roles: string[];
  scopes: string[];
  accessToken: string;
  /** Epoch ms: the session ends with its access token. */
  expiresAt: number;
}

/** What the login keeps between the redirect to the issuer and its callback. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** Sessions in Redis, so any console instance serves any request, and logout is immediate everywhere. */
@Injectable()
export class SessionStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async create(session: ConsoleSession): Promise<{ id: string; ttlSeconds: number }> {
    const id = randomBytes(32).toString('base64url');
    const ttlSeconds = Math.max(1, Math.min(this.config.CONSOLE_SESSION_TTL_SECONDS, Math.floor((session.expiresAt - Date.now()) / 1000)));
    await this.redis.set(`console:session:${id}`, JSON.stringify(session), 'EX', ttlSeconds);
    return { id, ttlSeconds };
  }

  async find(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id) return undefined;
    const raw = await this.redis.get(`console:session:${id}`);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as ConsoleSession;
    return session.expiresAt > Date.now() ? session : undefined;
  }

  async remove(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(`console:session:${id}`);
  }

  async savePending(pending: PendingLogin): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    await this.redis.set(`console:login:${id}`, JSON.stringify(pending), 'EX', 600);
    return id;
  }

  /** Read once: a callback replayed with the same login cookie finds nothing. */
  async takePending(id: string | undefined): Promise<PendingLogin | undefined> {
    if (!id) return undefined;
    const key = `console:login:${id}`;
    const [[, raw]] = ((await this.redis.multi().get(key).del(key).exec()) ?? [[null, null]]) as [[unknown, string | null]];
    return raw ? (JSON.parse(raw) as PendingLogin) : undefined;
  }
}
