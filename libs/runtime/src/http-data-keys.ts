import { ClientCredentials, clientCredentialsToken, tokenEndpointOf } from '@o2o/auth';
import { DataKey, DataKeySource, TransientError } from '@o2o/kafka';

/** The key store of the service that owns the data keys (identity-resolution), as this process uses it. */
export interface OwnedDataKeyStore extends DataKeySource {
  /** The store behind a per-batch cache: what the owner's own publisher and consumer use. */
  readonly cached: DataKeySource;
}

/** Subjects or key ids per request (the API takes up to 5,000; a consumer call holds at most KAFKA_BATCH_MAX_MESSAGES). */
const REQUEST_LIMIT = 1000;

/** How long a client-credentials token is used before a new one is fetched (tokens live longer). */
const TOKEN_REUSE_MS = 5 * 60 * 1000;

/**
 * The data keys of identity-resolution's key store, over its API (`/v1/data-keys/*`), with this
 * service's own client-credentials token (scope data-keys:use). Any failure to get an answer is
 * transient: a consumer holds its batch and reports not-ready, a publisher's caller gets an error
 * it retries; nothing is sealed without a key or skipped for want of one.
 */
export class HttpDataKeys implements DataKeySource {
  private token: { value: string; fetchedAt: number } | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly issuer: string,
    private readonly client: ClientCredentials,
    private readonly timeoutMs = 10000,
  ) {}

  async forSubjects(subjects: string[]): Promise<Map<string, DataKey>> {
    const answer = new Map<string, DataKey>();
    for (let at = 0; at < subjects.length; at += REQUEST_LIMIT) {
      const body = await this.call<{ keys: Array<{ subject: string; kid: string; key: string }> }>('subjects', {
        subjects: subjects.slice(at, at + REQUEST_LIMIT),
      });
      for (const k of body.keys) answer.set(k.subject, { kid: k.kid, key: Buffer.from(k.key, 'base64') });
    }
    return answer;
  }

  async byIds(kids: string[]): Promise<Map<string, Buffer>> {
    const answer = new Map<string, Buffer>();
    for (let at = 0; at < kids.length; at += REQUEST_LIMIT) {
      const body = await this.call<{ keys: Array<{ kid: string; key: string }> }>('lookup', { kids: kids.slice(at, at + REQUEST_LIMIT) });
      for (const k of body.keys) answer.set(k.kid, Buffer.from(k.key, 'base64'));
    }
    return answer;
  }

  private async call<T>(path: string, payload: unknown, retried = false): Promise<T> {
    let response: Response;
    try {
      const token = await this.accessToken();
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/data-keys/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TransientError(`data key store unreachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (response.status === 401 && !retried) {
      this.token = undefined;
      return this.call<T>(path, payload, true);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new TransientError(`data key store answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return (await response.json()) as T;
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() - this.token.fetchedAt < TOKEN_REUSE_MS) return this.token.value;
    const value = await clientCredentialsToken(await tokenEndpointOf(this.issuer), this.client, ['data-keys:use']);
    this.token = { value, fetchedAt: Date.now() };
    return value;
  }
}
