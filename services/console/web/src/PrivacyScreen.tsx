import { FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { DataTable } from './DataTable';

interface RequestStatus {
  status?: string;
  kind?: string;
  completedAt?: string;
  services?: Record<string, unknown>;
  waitingFor?: string[];
  httpStatus?: number;
}
interface StartedRequest {
  requestId: string;
  kind: 'erasure' | 'export';
  identifierType: string;
  requestedBy: string;
  requestedAt: string;
  status: RequestStatus | string;
}

const identifierTypes = ['email', 'phone', 'userId', 'loyaltyCard', 'licensePlate'] as const;

function statusText(status: RequestStatus | string): string {
  if (typeof status === 'string') return status;
  const waiting = status.waitingFor?.length ? `, waiting for ${status.waitingFor.join(', ')}` : '';
  return `${status.status ?? 'unknown'}${waiting}`;
}

/**
 * For the privacy officer: erasure and export by any identifier, each started only after the
 * identifier is typed a second time, and the status of the requests started here (every
 * service's answer).
 */
export function PrivacyScreen({ canErase, canExport }: { canErase: boolean; canExport: boolean }) {
  const [requests, setRequests] = useState<StartedRequest[]>([]);
  const [kind, setKind] = useState<'erasure' | 'export'>(canExport ? 'export' : 'erasure');
  const [type, setType] = useState<string>('email');
  const [value, setValue] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setRequests((await api<{ requests: StartedRequest[] }>('/api/privacy/requests')).requests);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  // Requests still running are followed until every service has answered.
  useEffect(() => {
    if (!requests.some((r) => typeof r.status === 'object' && r.status.status === 'pending')) return;
    const timer = setTimeout(() => void load(), 2000);
    return () => clearTimeout(timer);
  }, [requests, load]);

  const ask = (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setConfirmation('');
    setConfirming(true);
  };
  const start = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const started = await api<StartedRequest>('/api/privacy/requests', { method: 'POST', body: { kind, type, value, confirmation } });
      setMessage(`${kind === 'erasure' ? 'Erasure' : 'Export'} started: request ${started.requestId}.`);
      setConfirming(false);
      setValue('');
      setConfirmation('');
      await load();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const kinds = [...(canExport ? (['export'] as const) : []), ...(canErase ? (['erasure'] as const) : [])];
  return (
    <section aria-labelledby="privacy-title">
      <h1 id="privacy-title">Privacy requests</h1>
      {message && <p role="status">{message}</p>}
      <div className="grid">
        {kinds.length > 0 && (
          <article className="card" aria-labelledby="new-request">
            <h2 id="new-request">New request</h2>
            {!confirming ? (
              <form className="stack" onSubmit={ask}>
                <label>
                  Request
                  <select value={kind} onChange={(e) => setKind(e.target.value as 'erasure' | 'export')}>
                    {kinds.map((k) => (
                      <option key={k} value={k}>
                        {k === 'erasure' ? 'Erase the customer everywhere' : 'Export everything held'}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Identifier type
                  <select value={type} onChange={(e) => setType(e.target.value)}>
                    {identifierTypes.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Identifier <input value={value} onChange={(e) => setValue(e.target.value)} required autoComplete="off" />
                </label>
                <button type="submit" disabled={value.trim() === ''}>
                  Continue
                </button>
              </form>
            ) : (
              <form className="stack" onSubmit={start} aria-describedby="confirm-what">
                <p id="confirm-what" className={kind === 'erasure' ? 'error' : undefined}>
                  {kind === 'erasure'
                    ? `Erase the customer with ${type} “${value}” from every service. This cannot be undone.`
                    : `Export everything every service holds about the customer with ${type} “${value}”.`}
                </p>
                <label>
                  Type the identifier again to confirm{' '}
                  <input value={confirmation} onChange={(e) => setConfirmation(e.target.value)} autoComplete="off" />
                </label>
                <span className="actions">
                  <button type="submit" disabled={confirmation !== value}>
                    {kind === 'erasure' ? 'Erase' : 'Start export'}
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </span>
              </form>
            )}
          </article>
        )}
        <article className="card wide" aria-labelledby="requests">
          <h2 id="requests">Requests started here</h2>
          {requests.length ? (
            <DataTable
              label="Privacy requests table"
              testId="privacy-requests"
              columns={['Request', 'Kind', 'By', 'Asked', 'Status']}
              actions
            >
              {requests.map((r) => (
                <tr key={r.requestId}>
                  <td>
                    <code>{r.requestId}</code>
                  </td>
                  <td>
                    {r.kind} by {r.identifierType}
                  </td>
                  <td>{r.requestedBy}</td>
                  <td>
                    <time dateTime={r.requestedAt}>{new Date(r.requestedAt).toLocaleString()}</time>
                  </td>
                  <td data-testid={`privacy-status-${r.requestId}`}>{statusText(r.status)}</td>
                  <td>
                    {r.kind === 'export' && canExport && typeof r.status === 'object' && r.status.status === 'completed' ? (
                      <a href={`/api/privacy/requests/${encodeURIComponent(r.requestId)}/export`} download>
                        Download
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : (
            <p>No requests started through the console yet.</p>
          )}
          <button type="button" className="link" onClick={() => void load()}>
            Refresh
          </button>
        </article>
      </div>
    </section>
  );
}
