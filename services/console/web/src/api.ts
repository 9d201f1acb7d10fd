/** Calls to the console's own API (session cookie; writes carry the header the console requires). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describe(body) ?? `request failed (${status})`);
  }
}

/** What the platform's one error body, { success: false, error: { code, message, issues? } }, says went wrong. */
function describe(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const error = (body as { error?: { message?: string; issues?: Array<{ message?: string; field?: string }> } }).error;
    if (error?.issues?.length) return error.issues.map((i) => [i.field, i.message].filter(Boolean).join(': ')).join('; ');
    if (error?.message) return error.message;
  }
  return undefined;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.method && init.method !== 'GET' ? { 'x-o2o-console': '1' } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (response.status === 401) {
    window.location.assign(`/login?returnTo=${encodeURIComponent(window.location.pathname)}`);
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}

export interface Me {
  subject: string;
  name: string;
  roles: string[];
  scopes: string[];
  channel: string;
}
