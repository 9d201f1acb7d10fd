import { Inject, Injectable, HttpException } from '@nestjs/common';
import { HttpProblem, problemBody } from '@o2o/runtime';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import type { ConsoleSession } from '../session/session.store';

export type PlatformService = 'ingestion' | 'identity' | 'value' | 'needs' | 'campaign';

export const platformServiceKeys: readonly PlatformService[] = ['ingestion', 'identity', 'value', 'needs', 'campaign'];
/** Each service's name (its consumer group and the name it reports under). */
export const platformServiceNames: Record<PlatformService, string> = {
  ingestion: 'ingestion',
  identity: 'identity-resolution',
  value: 'value-scoring',
  needs: 'needs-profiling',
  campaign: 'campaign-customization',
};

export interface PlatformAnswer<T> {
  status: number;
  body: T;
}

/**
 * The five services' HTTP APIs, called with the logged-in person's own access token: each service
 * checks the scopes itself, so the console can show nothing a person could not fetch directly.
 */
@Injectable()
export class PlatformClient {
  private readonly bases: Record<PlatformService, string>;
  private readonly management: Record<PlatformService, string>;

  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {
    this.bases = {
      ingestion: config.CONSOLE_INGESTION_URL,
      identity: config.CONSOLE_IDENTITY_URL,
      value: config.CONSOLE_VALUE_URL,
      needs: config.CONSOLE_NEEDS_URL,
      campaign: config.CONSOLE_CAMPAIGN_URL,
    };
    this.management = {
      ingestion: config.CONSOLE_INGESTION_MANAGEMENT_URL,
      identity: config.CONSOLE_IDENTITY_MANAGEMENT_URL,
      value: config.CONSOLE_VALUE_MANAGEMENT_URL,
      needs: config.CONSOLE_NEEDS_MANAGEMENT_URL,
      campaign: config.CONSOLE_CAMPAIGN_MANAGEMENT_URL,
    };
  }

  /** The service's management listener (health and metrics, no credentials). */
  managementOf(service: PlatformService): string {
    return this.management[service];
  }

  baseOf(service: PlatformService): string {
    return this.bases[service];
  }

  /** Any answer, with its status (404 is an answer too). */
  async call<T>(
    session: ConsoleSession,
    service: PlatformService,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<PlatformAnswer<T>> {
    const response = await fetch(`${this.bases[service]}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${session.accessToken}`,
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: passed on as text
    }
    return { status: response.status, body: body as T };
  }

  /** The body of a 2xx answer; any other answer is passed on to the browser with its status and body. */
  async get<T>(
    session: ConsoleSession,
    service: PlatformService,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const answer = await this.call<T>(session, service, path, init);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw new HttpException(
      answer.body ?? problemBody('upstream_failed', `${service} answered ${answer.status} without a body`),
      answer.status,
    );
  }

  /** Sends one Segment track call through ingestion with the console's source write key. */
  async track(message: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.bases.ingestion}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${this.config.CONSOLE_WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new HttpProblem(response.status >= 500 ? 502 : response.status, 'ingestion_refused', await response.text());
  }
}
