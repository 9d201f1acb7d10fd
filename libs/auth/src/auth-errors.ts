import { HttpException } from '@nestjs/common';

/** The one error body every service answers a refused call with. */
export interface AuthErrorBody {
  success: false;
  error: {
    code: 'unauthorized' | 'forbidden' | 'rate_limited' | 'auth_unavailable';
    message: string;
    /** The scope the route needs (403 only). */
    requiredScope?: string;
    /** When to try again (429 only). */
    retryAfterSeconds?: number;
  };
}

/**
 * A refused call: 401 (no or bad credential), 403 (credential without the route's scope), 429
 * (the client is over its rate limit), or 503 (the issuer's keys could not be read, so no token
 * can be checked now).
 */
export class AuthFailure {
  constructor(
    readonly status: 401 | 403 | 429 | 503,
    readonly message: string,
    readonly requiredScope?: string,
    readonly retryAfterSeconds?: number,
  ) {}

  body(): AuthErrorBody {
    return {
      success: false,
      error: {
        code:
          this.status === 401
            ? 'unauthorized'
            : this.status === 403
              ? 'forbidden'
              : this.status === 429
                ? 'rate_limited'
                : 'auth_unavailable',
        message: this.message,
        ...(this.requiredScope ? { requiredScope: this.requiredScope } : {}),
        ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
      },
    };
  }

  /** RFC 6750 challenge. */
  challenge(): string {
    if (this.status === 403) return `Bearer realm="o2o", error="insufficient_scope", scope="${this.requiredScope ?? ''}"`;
    return this.message === 'a bearer token or API key is required' ? 'Bearer realm="o2o"' : 'Bearer realm="o2o", error="invalid_token"';
  }

  toHttpException(): HttpException {
    return new HttpException(this.body(), this.status);
  }
}

export const missingCredential = () => new AuthFailure(401, 'a bearer token or API key is required');
export const invalidCredential = (reason: string) => new AuthFailure(401, `invalid credential: ${reason}`);
export const missingScope = (scope: string) => new AuthFailure(403, `this call needs the scope ${scope}`, scope);
export const rateLimited = (retryAfterSeconds: number) =>
  new AuthFailure(429, `too many calls from this client; retry after ${retryAfterSeconds} s`, undefined, retryAfterSeconds);
