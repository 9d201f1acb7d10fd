import { useEffect, useMemo, useState } from 'react';
import { api } from './api';
import { BarChart } from './Chart';

interface Health {
  service: string;
  ready: boolean;
  status: string;
  latencyMs: number;
}
interface Review {
  id: string;
  score?: number;
  reason?: string;
  [key: string]: unknown;
}

export function OperationsScreen({ canWrite }: { canWrite: boolean }) {
  const [health, setHealth] = useState<Health[]>([]);
  const [reviews, setReviews] = useState<Review[]>([]);
  const [lag, setLag] = useState<Array<{ group: string; topic: string; lag: number }>>([]);
  const [models, setModels] = useState<{ current?: { version?: string; status?: string; fittedAt?: string; [k: string]: unknown } | null; training?: Record<string, unknown> | null }>({});
  const [message, setMessage] = useState<string | null>(null);
  const load = async () => {
    try {
      setHealth((await api<{ services: Health[] }>('/api/operations/health')).services);
      setLag((await api<{ lag: Array<{ group: string; topic: string; lag: number }> }>('/api/operations/lag')).lag);
      const [current, training] = await Promise.all([
        api<{ version?: string; status?: string; fittedAt?: string }>('/api/platform/value/v1/models/current').catch(() => null),
        api<Record<string, unknown>>('/api/platform/identity/v1/matching/training').catch(() => null),
      ]);
      setModels({ current, training });
      const queue = await api<{ items?: Review[]; reviews?: Review[] } | Review[]>('/api/platform/identity/v1/review');
      setReviews(Array.isArray(queue) ? queue : (queue.items ?? queue.reviews ?? []));
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const decide = async (id: string, verdict: 'accept' | 'reject') => {
    try {
      await api(`/api/platform/identity/v1/review/${encodeURIComponent(id)}/${verdict}`, { method: 'POST', body: {} });
      setMessage(`Review ${id}: ${verdict === 'accept' ? 'accepted' : 'rejected'}.`);
      await load();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const perGroup = useMemo(() => {
    const totals = new Map<string, number>();
    for (const l of lag) totals.set(l.group, (totals.get(l.group) ?? 0) + l.lag);
    return { labels: [...totals.keys()], series: [{ label: 'messages behind', data: [...totals.values()] }] };
  }, [lag]);
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Operations</h1>
      {message && <p role="status">{message}</p>}
      <div className="grid">
        <article className="card" aria-labelledby="health">
          <h2 id="health">Services</h2>
          <table data-testid="health">
            <thead><tr><th scope="col">Service</th><th scope="col">Ready</th><th scope="col">Answered in</th></tr></thead>
            <tbody>{health.map((h) => <tr key={h.service}><td>{h.service}</td><td>{h.ready ? 'ready' : `not ready (${h.status})`}</td><td>{h.latencyMs} ms</td></tr>)}</tbody>
          </table>
        </article>
        <article className="card" aria-labelledby="lag">
          <h2 id="lag">Consumer lag</h2>
          <BarChart labels={perGroup.labels} series={perGroup.series} label="Messages behind per consumer group" />
          <div className="scroll" tabIndex={0} role="region" aria-label="Consumer lag table">
            <table data-testid="lag">
              <thead><tr><th scope="col">Group</th><th scope="col">Topic</th><th scope="col">Behind</th></tr></thead>
              <tbody>{lag.map((l) => <tr key={`${l.group}/${l.topic}`}><td>{l.group}</td><td>{l.topic}</td><td>{l.lag}</td></tr>)}</tbody>
            </table>
          </div>
          <button type="button" className="link" onClick={() => void load()}>Refresh</button>
        </article>
        <article className="card" aria-labelledby="models">
          <h2 id="models">Models</h2>
          <p><strong>Value model:</strong> {models.current ? `${models.current.version ?? 'current'}${models.current.status ? ` (${models.current.status})` : ''}` : 'none fitted yet'}</p>
          <p><strong>Identity matching training:</strong> {models.training ? String(models.training['status'] ?? models.training['state'] ?? 'known') : 'not reported'}</p>
        </article>
        <article className="card wide" aria-labelledby="review">
          <h2 id="review">Identity review queue</h2>
          {reviews.length ? (
            <ul>
              {reviews.map((r) => (
                <li key={r.id}>
                  <code>{r.id}</code> {r.reason ?? ''} {r.score === undefined ? '' : `score ${r.score.toFixed(1)}`}
                  {canWrite && (
                    <span className="actions">
                      <button type="button" onClick={() => void decide(r.id, 'accept')}>Accept</button>
                      <button type="button" onClick={() => void decide(r.id, 'reject')}>Reject</button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          ) : <p>No pairs waiting for review.</p>}
        </article>
      </div>
    </section>
  );
}
