import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from './api';
import { DataTable } from './DataTable';
import { BarChart, LineChart } from './Chart';

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

export function OperationsScreen({ canWrite, scopes }: { canWrite: boolean; scopes: string[] }) {
  const [health, setHealth] = useState<Health[]>([]);
  const [reviews, setReviews] = useState<Review[]>([]);
  const [lag, setLag] = useState<Array<{ group: string; topic: string; lag: number }>>([]);
  const [models, setModels] = useState<{ training?: Record<string, unknown> | null }>({});
  const [message, setMessage] = useState<string | null>(null);
  const load = async () => {
    try {
      setHealth((await api<{ services: Health[] }>('/api/operations/health')).services);
      setLag((await api<{ lag: Array<{ group: string; topic: string; lag: number }> }>('/api/operations/lag')).lag);
      const training = await api<Record<string, unknown>>('/api/platform/identity/v1/matching/training').catch(() => null);
      setModels({ training });
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
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Ready</th>
                <th scope="col">Answered in</th>
              </tr>
            </thead>
            <tbody>
              {health.map((h) => (
                <tr key={h.service}>
                  <td>{h.service}</td>
                  <td>{h.ready ? 'ready' : `not ready (${h.status})`}</td>
                  <td>{h.latencyMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
        <article className="card" aria-labelledby="lag">
          <h2 id="lag">Consumer lag</h2>
          <BarChart labels={perGroup.labels} series={perGroup.series} label="Messages behind per consumer group" />
          <DataTable label="Consumer lag table" testId="lag" columns={['Group', 'Topic', 'Behind']}>
            {lag.map((l) => (
              <tr key={`${l.group}/${l.topic}`}>
                <td>{l.group}</td>
                <td>{l.topic}</td>
                <td>{l.lag}</td>
              </tr>
            ))}
          </DataTable>
          <button type="button" className="link" onClick={() => void load()}>
            Refresh
          </button>
        </article>
        <OperationsHistoryCard />
        {scopes.includes('models:read') && (
          <ValueModelsCard canWrite={scopes.includes('models:write')} training={models.training ?? null} />
        )}
        {scopes.includes('dead-letters:read') && <DeadLettersCard canWrite={scopes.includes('dead-letters:write')} />}
        <article className="card wide" aria-labelledby="review">
          <h2 id="review">Identity review queue</h2>
          {reviews.length ? (
            <ul>
              {reviews.map((r) => (
                <li key={r.id}>
                  <code>{r.id}</code> {r.reason ?? ''} {r.score === undefined ? '' : `score ${r.score.toFixed(1)}`}
                  {canWrite && (
                    <span className="actions">
                      <button type="button" onClick={() => void decide(r.id, 'accept')}>
                        Accept
                      </button>
                      <button type="button" onClick={() => void decide(r.id, 'reject')}>
                        Reject
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p>No pairs waiting for review.</p>
          )}
        </article>
      </div>
    </section>
  );
}

interface History {
  intervalSeconds: number;
  times: string[];
  lag: Array<{ group: string; values: Array<number | null> }>;
  rates: Array<{ service: string; consumed: Array<number | null>; produced: Array<number | null> }>;
}

const lastNumber = (values: Array<number | null>): number | null => {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
};

/** The last hour of the console's samples: lag per group and events per second per stage. */
function OperationsHistoryCard() {
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<History>('/api/operations/history')
      .then((h) => {
        setHistory(h);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  useEffect(() => {
    load();
    const timer = setInterval(load, 15_000);
    return () => clearInterval(timer);
  }, [load]);
  const labels = useMemo(() => (history?.times ?? []).map((t) => new Date(t).toISOString().slice(11, 16)), [history]);
  const lagSeries = useMemo(() => (history?.lag ?? []).map((l) => ({ label: l.group, data: l.values })), [history]);
  const rateSeries = useMemo(() => (history?.rates ?? []).map((r) => ({ label: `${r.service} in`, data: r.consumed })), [history]);
  return (
    <article className="card wide" aria-labelledby="history">
      <h2 id="history">The last hour</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {history && (
        <div className="grid">
          <div>
            <h3>Consumer lag per group</h3>
            <LineChart labels={labels} series={lagSeries} label="Messages behind per consumer group over the last hour" />
          </div>
          <div>
            <h3>Events per second per stage</h3>
            <LineChart labels={labels} series={rateSeries} label="Events consumed per second by each service over the last hour" />
          </div>
          <DataTable label="Latest rates" testId="rates" columns={['Stage', 'In /s', 'Out /s', 'Behind']}>
            {history.rates.map((r) => (
              <tr key={r.service}>
                <td>{r.service}</td>
                <td>{lastNumber(r.consumed) ?? '—'}</td>
                <td>{lastNumber(r.produced) ?? '—'}</td>
                <td>{lastNumber(history.lag.find((l) => l.group === r.service)?.values ?? []) ?? '—'}</td>
              </tr>
            ))}
          </DataTable>
          <p className="muted" data-testid="samples">
            {history.times.length} samples, every {history.intervalSeconds} s.{' '}
            <button type="button" className="link" onClick={load}>
              Reload
            </button>
          </p>
        </div>
      )}
    </article>
  );
}

interface ModelJob {
  id: string;
  kind: string;
  status: string;
  outcome?: string;
  error?: string;
  requestedBy: string;
  requestedAt: string;
  finishedAt?: string;
}

/** Value-scoring's model versions and the refit and re-scoring jobs (202 and a job to follow). */
function ValueModelsCard({ canWrite, training }: { canWrite: boolean; training: Record<string, unknown> | null }) {
  const [current, setCurrent] = useState<{
    model?: { kind: string; version?: string; fittedAt?: string };
    tiering?: { walkedAt: string; customers: number } | null;
  } | null>(null);
  const [versions, setVersions] = useState<Array<{ version: string; fittedAt?: string; [k: string]: unknown }>>([]);
  const [jobs, setJobs] = useState<ModelJob[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [c, v, j] = await Promise.all([
        api<NonNullable<typeof current>>('/api/platform/value/v1/models/current'),
        api<{ versions: typeof versions }>('/api/platform/value/v1/models'),
        api<{ jobs: ModelJob[] }>('/api/platform/value/v1/models/jobs'),
      ]);
      setCurrent(c);
      setVersions(v.versions);
      setJobs(j.jobs);
      return j.jobs;
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
      return [];
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  // Follows running jobs until they finish.
  useEffect(() => {
    if (!jobs.some((j) => j.status === 'running')) return;
    const timer = setTimeout(() => void load(), 2000);
    return () => clearTimeout(timer);
  }, [jobs, load]);
  const start = async (kind: 'refit' | 'rescore') => {
    try {
      const { job } = await api<{ job: ModelJob }>(`/api/platform/value/v1/models/${kind}`, { method: 'POST', body: {} });
      setMessage(`${kind === 'refit' ? 'Refit' : 'Re-scoring'} started (job ${job.id}).`);
      await load();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="card" aria-labelledby="models">
      <h2 id="models">Models</h2>
      <p>
        <strong>Value model:</strong>{' '}
        {current?.model
          ? current.model.kind === 'fitted'
            ? `${current.model.version ?? ''} fitted ${current.model.fittedAt ? new Date(current.model.fittedAt).toLocaleString() : ''}`
            : `interim (${current.model.version ?? 'no fit yet'})`
          : '…'}
      </p>
      <p>
        <strong>Last re-tiering:</strong>{' '}
        {current?.tiering ? `${new Date(current.tiering.walkedAt).toLocaleString()}, ${current.tiering.customers} customers` : 'not yet'}
      </p>
      <p>
        <strong>Fitted versions:</strong> {versions.length}
      </p>
      <p>
        <strong>Identity matching training:</strong>{' '}
        {training ? String(training['status'] ?? training['state'] ?? 'known') : 'not reported'}
      </p>
      {canWrite && (
        <span className="actions">
          <button type="button" onClick={() => void start('refit')}>
            Refit value model
          </button>
          <button type="button" onClick={() => void start('rescore')}>
            Re-score customers
          </button>
        </span>
      )}
      {message && <p role="status">{message}</p>}
      {jobs.length ? (
        <ol className="timeline" data-testid="model-jobs">
          {jobs.slice(0, 8).map((j) => (
            <li key={j.id}>
              {j.kind} <code>{j.id.slice(0, 8)}</code>: {j.status}
              {j.outcome ? ` (${j.outcome})` : ''}
              {j.error ? `: ${j.error}` : ''} <span className="muted">{new Date(j.requestedAt).toLocaleTimeString()}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p>No refit or re-scoring asked for yet.</p>
      )}
    </article>
  );
}

const deadLetterServices = [
  ['ingestion', 'ingestion'],
  ['identity', 'identity-resolution'],
  ['value', 'value-scoring'],
  ['needs', 'needs-profiling'],
  ['campaign', 'campaign-customization'],
] as const;

interface DeadLetter {
  partition: number;
  offset: string;
  originalTopic: string;
  reason: string;
  error: string;
  failedAt: string | null;
  eventType: string | null;
  status: 'pending' | 'redriven' | 'discarded';
  action?: { by: string; reason: string; at: string };
}

/** Every service's dead letters: how many wait, what each holds, re-drive or discard (with a reason, audited by the service). */
function DeadLettersCard({ canWrite }: { canWrite: boolean }) {
  const [letters, setLetters] = useState<Record<string, DeadLetter[] | string>>({});
  const [open, setOpen] = useState<{ service: string; name: string; letter: DeadLetter; detail: unknown } | null>(null);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    const found: Record<string, DeadLetter[] | string> = {};
    await Promise.all(
      deadLetterServices.map(async ([key]) => {
        try {
          found[key] = (await api<{ letters: DeadLetter[] }>(`/api/platform/${key}/admin/v1/dead-letters?limit=200`)).letters;
        } catch (e) {
          found[key] = e instanceof Error ? e.message : String(e);
        }
      }),
    );
    setLetters(found);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const inspect = async (service: string, name: string, letter: DeadLetter) => {
    try {
      setOpen({
        service,
        name,
        letter,
        detail: await api<unknown>(`/api/platform/${service}/admin/v1/dead-letters/${letter.partition}/${letter.offset}`),
      });
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const act = async (event: FormEvent, verb: 'redrive' | 'discard') => {
    event.preventDefault();
    if (!open) return;
    try {
      await api(`/api/platform/${open.service}/admin/v1/dead-letters/${verb}`, {
        method: 'POST',
        body: { letters: [{ partition: open.letter.partition, offset: open.letter.offset }], reason },
      });
      setMessage(
        `Dead letter ${open.letter.partition}/${open.letter.offset} of ${open.name}: ${verb === 'redrive' ? 're-driven' : 'discarded'}.`,
      );
      setOpen(null);
      setReason('');
      await load();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="card wide" aria-labelledby="dead-letters">
      <h2 id="dead-letters">Dead letters</h2>
      {message && <p role="status">{message}</p>}
      <DataTable label="Dead letters table" testId="dead-letters" columns={['Service', 'Letter', 'From', 'Reason', 'Status']} actions>
        {deadLetterServices.flatMap(([key, name]) => {
          const list = letters[key];
          if (list === undefined) return [];
          if (typeof list === 'string')
            return [
              <tr key={key}>
                <td>{name}</td>
                <td colSpan={5}>{list}</td>
              </tr>,
            ];
          if (list.length === 0)
            return [
              <tr key={key} data-testid={`dead-letters-${name}`}>
                <td>{name}</td>
                <td colSpan={5}>none</td>
              </tr>,
            ];
          return list.slice(-20).map((l) => (
            <tr key={`${key}:${l.partition}:${l.offset}`}>
              <td>{name}</td>
              <td>
                <code>
                  {l.partition}/{l.offset}
                </code>
              </td>
              <td>{l.originalTopic}</td>
              <td>
                {l.reason}
                {l.eventType ? ` (${l.eventType})` : ''}
              </td>
              <td>
                {l.status}
                {l.action ? ` by ${l.action.by}` : ''}
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => void inspect(key, name, l)}
                  aria-label={`Inspect dead letter ${l.partition}/${l.offset} of ${name}`}
                >
                  Inspect
                </button>
              </td>
            </tr>
          ));
        })}
      </DataTable>
      <p className="muted">
        {deadLetterServices
          .map(([key, name]) => {
            const list = letters[key];
            return Array.isArray(list) ? `${name}: ${list.filter((l) => l.status === 'pending').length} waiting` : null;
          })
          .filter(Boolean)
          .join(' · ')}{' '}
        <button type="button" className="link" onClick={() => void load()}>
          Reload dead letters
        </button>
      </p>
      {open && (
        <div data-testid="dead-letter">
          <h3>
            Dead letter {open.letter.partition}/{open.letter.offset} of {open.name}
          </h3>
          <p>{open.letter.error}</p>
          <pre className="small">{JSON.stringify(open.detail, null, 2)}</pre>
          {canWrite && open.letter.status === 'pending' && (
            <form className="stack" onSubmit={(e) => void act(e, 'redrive')}>
              <label>
                Reason (recorded) <input value={reason} onChange={(e) => setReason(e.target.value)} required />
              </label>
              <span className="actions">
                <button type="submit" disabled={reason.trim() === ''}>
                  Re-drive
                </button>
                <button type="button" disabled={reason.trim() === ''} onClick={(e) => void act(e, 'discard')}>
                  Discard
                </button>
                <button type="button" onClick={() => setOpen(null)}>
                  Close
                </button>
              </span>
            </form>
          )}
        </div>
      )}
    </article>
  );
}
