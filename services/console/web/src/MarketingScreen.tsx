import { FormEvent, useEffect, useMemo, useState } from 'react';
import { api } from './api';
import { BarChart } from './Chart';

interface Segment {
  id: string;
  name: string;
  purpose: string;
  version: number;
  rule: unknown;
  backfill?: { status: string; processed: number; total: number };
}
interface Campaign {
  id: string;
  name?: string;
  segmentId?: string;
  holdout?: unknown;
  status?: string;
}

const exampleRule = JSON.stringify({ path: 'value.tier', op: 'in', value: ['A', 'B'] }, null, 2);

export function MarketingScreen({ canWrite }: { canWrite: boolean }) {
  const [segments, setSegments] = useState<Segment[]>([]);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [counts, setCounts] = useState<{ customers: number; members: Record<string, number> } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setSegments((await api<{ segments: Segment[] }>('/api/platform/campaign/v1/segments?limit=500')).segments);
      setCampaigns((await api<{ campaigns: Campaign[] }>('/api/platform/campaign/v1/campaigns?limit=500')).campaigns);
      setCounts(await api<{ customers: number; members: Record<string, number> }>('/api/platform/campaign/v1/segments/counts'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <section aria-labelledby="marketing-title">
      <h1 id="marketing-title">Marketing</h1>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="grid">
        <article className="card wide" aria-labelledby="segments">
          <h2 id="segments">Segments</h2>
          <p className="muted">{counts ? `${counts.customers} customers` : ''} <button type="button" className="link" onClick={() => void load()}>Refresh</button></p>
          <div className="scroll" tabIndex={0} role="region" aria-label="Segments table">
            <table data-testid="segments">
              <thead><tr><th scope="col">Segment</th><th scope="col">Name</th><th scope="col">Purpose</th><th scope="col">Members</th><th scope="col">Version</th><th scope="col">Back-fill</th></tr></thead>
              <tbody>
                {segments.map((s) => (
                  <tr key={s.id}>
                    <td><button type="button" className="link" onClick={() => setSelected(s.id)} aria-label={`Members of ${s.id}`}>{s.id}</button></td>
                    <td>{s.name}</td><td>{s.purpose}</td>
                    <td data-testid={`count-${s.id}`}>{counts ? (counts.members[s.id] ?? 0) : '…'}</td>
                    <td>{s.version}</td><td>{s.backfill ? `${s.backfill.status} ${s.backfill.processed}/${s.backfill.total}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
        {selected && <Members segmentId={selected} />}
        {canWrite && <SegmentEditor onSaved={() => void load()} />}
        <ValueReportCard />
        <article className="card" aria-labelledby="campaigns">
          <h2 id="campaigns">Campaigns</h2>
          {campaigns.length ? <ul>{campaigns.map((c) => <li key={c.id}><Lift campaign={c} /></li>)}</ul> : <p>No campaigns yet.</p>}
        </article>
      </div>
    </section>
  );
}

function SegmentEditor({ onSaved }: { onSaved: () => void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('marketing');
  const [rule, setRule] = useState(exampleRule);
  const [message, setMessage] = useState<string | null>(null);
  // Validated as it is typed: the JSON first; the service validates the rule itself on save.
  const ruleProblem = useMemo(() => {
    try {
      const parsed: unknown = JSON.parse(rule);
      return parsed && typeof parsed === 'object' ? null : 'a rule is a JSON object';
    } catch (e) {
      return e instanceof Error ? e.message : 'not JSON';
    }
  }, [rule]);
  const idProblem = id === '' || /^[a-z0-9][a-z0-9_-]{0,99}$/.test(id) ? null : 'lower-case letters, digits, - and _';
  const [preview, setPreview] = useState<string | null>(null);
  // The service validates and counts the draft as it is typed (after a short pause), saving nothing.
  useEffect(() => {
    if (ruleProblem !== null) {
      setPreview(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api<{ customers: number; matching: number }>('/api/platform/campaign/v1/segments/preview', { method: 'POST', body: { id: id || 'preview', name: name || 'preview', purpose, rule: JSON.parse(rule) as unknown } })
        .then((p) => current && setPreview(`Would hold ${p.matching} of ${p.customers} customers now.`))
        .catch((e: unknown) => current && setPreview(`Not valid: ${e instanceof Error ? e.message : String(e)}`));
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [rule, purpose, ruleProblem, id, name]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const saved = await api<Segment>('/api/platform/campaign/v1/segments', { method: 'POST', body: { id, name, purpose, rule: JSON.parse(rule) as unknown } });
      setMessage(`Saved segment ${saved.id} (version ${saved.version}).`);
      onSaved();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="card" aria-labelledby="new-segment">
      <h2 id="new-segment">New segment</h2>
      <form onSubmit={save} className="stack">
        <label>Id <input value={id} onChange={(e) => setId(e.target.value)} required aria-invalid={idProblem !== null} aria-describedby="id-problem" /></label>
        <span id="id-problem" className="error">{idProblem ?? ''}</span>
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>Purpose <input value={purpose} onChange={(e) => setPurpose(e.target.value)} required /></label>
        <label>Rule (JSON) <textarea value={rule} onChange={(e) => setRule(e.target.value)} rows={6} aria-invalid={ruleProblem !== null} aria-describedby="rule-problem" /></label>
        <span id="rule-problem" className="error">{ruleProblem ?? ''}</span>
        <p aria-live="polite" data-testid="preview">{preview ?? ''}</p>
        <button type="submit" disabled={ruleProblem !== null || idProblem !== null}>Save segment</button>
      </form>
      {message && <p role="status">{message}</p>}
    </article>
  );
}

interface LiftReport {
  treated?: { exposed: number; converted: number; rate: number | null };
  control?: { exposed: number; converted: number; rate: number | null };
  absoluteLift?: number | null;
  absoluteInterval?: { lower: number; upper: number } | null;
  confidence?: number;
  significant?: boolean | null;
  notes?: string[];
}

const pct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)} %`);

function Lift({ campaign }: { campaign: Campaign }) {
  const [report, setReport] = useState<LiftReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = async () => {
    try {
      setReport(await api<LiftReport>(`/api/platform/campaign/v1/campaigns/${encodeURIComponent(campaign.id)}/lift`));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const labels = useMemo(() => ['treated', 'control'], []);
  const series = useMemo(() => [{ label: 'conversion rate %', data: [100 * (report?.treated?.rate ?? 0), 100 * (report?.control?.rate ?? 0)] }], [report]);
  return (
    <div>
      <strong>{campaign.name ?? campaign.id}</strong> <button type="button" className="link" onClick={() => void show()}>Lift</button>
      {error && <p role="alert" className="error">{error}</p>}
      {report && (
        <>
          <BarChart labels={labels} series={series} label={`Conversion of treated and control customers for ${campaign.id}`} />
          <p data-testid={`lift-${campaign.id}`}>
            Treated {report.treated?.converted ?? 0}/{report.treated?.exposed ?? 0} ({pct(report.treated?.rate)}), control {report.control?.converted ?? 0}/{report.control?.exposed ?? 0} ({pct(report.control?.rate)}).
            {' '}Lift {pct(report.absoluteLift)}
            {report.absoluteInterval ? `, ${Math.round((report.confidence ?? 0.95) * 100)} % interval ${pct(report.absoluteInterval.lower)} to ${pct(report.absoluteInterval.upper)}` : ''}
            {report.significant ? ' (significant)' : ''}.
          </p>
          {report.notes?.length ? <p className="muted">{report.notes.join(' ')}</p> : null}
        </>
      )}
    </div>
  );
}

function Members({ segmentId }: { segmentId: string }) {
  const [pages, setPages] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<{ members: Array<{ customerId: string }>; next?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const after = pages[pages.length - 1];
  useEffect(() => {
    setPages([undefined]);
  }, [segmentId]);
  useEffect(() => {
    api<{ members: Array<{ customerId: string }>; next?: string }>(`/api/platform/campaign/v1/segments/${encodeURIComponent(segmentId)}/members?limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`)
      .then(setPage)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [segmentId, after]);
  return (
    <article className="card" aria-labelledby="members">
      <h2 id="members">Members of {segmentId}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {page && (page.members.length ? <ul data-testid="members">{page.members.map((m) => <li key={m.customerId}><code>{m.customerId}</code></li>)}</ul> : <p>No members on this page.</p>)}
      <div className="actions">
        {pages.length > 1 && <button type="button" onClick={() => setPages(pages.slice(0, -1))}>Previous page</button>}
        {page?.next && <button type="button" onClick={() => setPages([...pages, page.next])}>Next page</button>}
        <a href={`/api/segments/${encodeURIComponent(segmentId)}/members.csv`} download>Export CSV</a>
      </div>
    </article>
  );
}

interface ValueReport {
  customers: number;
  tiers: Record<string, number>;
  histogram: Array<{ from: number; to: number | null; customers: number }>;
  mostGrowable: Array<{ customerId: string; tier: string; actualValue: number; strategicValue: number }>;
  byArchetype: Array<{ archetype: string; customers: number; actualValue: number; meanActualValue: number }>;
}

function ValueReportCard() {
  const [report, setReport] = useState<ValueReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<ValueReport>('/api/platform/value/v1/reports/value')
      .then(setReport)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  const tiers = useMemo(() => {
    const names = Object.keys(report?.tiers ?? {}).sort();
    return { labels: names, series: [{ label: 'customers', data: names.map((t) => report?.tiers[t] ?? 0) }] };
  }, [report]);
  const bands = useMemo(
    () => ({ labels: (report?.histogram ?? []).map((b) => (b.to === null ? `${b.from}+` : `${b.from}–${b.to}`)), series: [{ label: 'customers by actual value', data: (report?.histogram ?? []).map((b) => b.customers) }] }),
    [report],
  );
  return (
    <article className="card wide" aria-labelledby="value-report">
      <h2 id="value-report">Value</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {report && (
        <div className="grid">
          <div>
            <h3>Tiers ({report.customers} customers)</h3>
            <BarChart labels={tiers.labels} series={tiers.series} label="Customers per value tier" />
            <table data-testid="tiers"><tbody>{tiers.labels.map((t) => <tr key={t}><th scope="row">{t}</th><td>{report.tiers[t]}</td></tr>)}</tbody></table>
          </div>
          <div>
            <h3>Actual value</h3>
            <BarChart labels={bands.labels} series={bands.series} label="Customers per band of actual value" />
          </div>
          <div>
            <h3>Most growable</h3>
            {report.mostGrowable.length ? <ol>{report.mostGrowable.map((g) => <li key={g.customerId}><code>{g.customerId}</code> {g.tier}: {g.actualValue} now, {g.strategicValue} potential</li>)}</ol> : <p>No strategic values yet (the value model is not fitted).</p>}
          </div>
          <div>
            <h3>By needs archetype</h3>
            <table><thead><tr><th scope="col">Archetype</th><th scope="col">Customers</th><th scope="col">Mean value</th></tr></thead>
              <tbody>{report.byArchetype.map((a) => <tr key={a.archetype}><td>{a.archetype}</td><td>{a.customers}</td><td>{a.meanActualValue}</td></tr>)}</tbody></table>
          </div>
        </div>
      )}
    </article>
  );
}
