import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from './api';
import { DataTable } from './DataTable';
import { BarChart } from './Chart';

interface Segment {
  id: string;
  name: string;
  description?: string;
  purpose: string;
  consentMode?: string;
  version: number;
  rule: unknown;
  backfill?: { status: string; processed: number; total: number };
}
interface CapRule {
  max: number;
  windowHours: number;
}
interface Campaign {
  id: string;
  version?: number;
  name?: string;
  status?: string;
  segmentId?: string;
  purpose?: string;
  channels?: string[];
  holdoutShare?: number;
  priority?: number;
  caps?: { campaign: CapRule[]; perChannel: Record<string, CapRule[]> };
  modules?: Record<string, { options: Array<{ id: string; label?: string; weight?: number }> } | undefined>;
  [key: string]: unknown;
}

const hoursText = (h: number) => (h % 24 === 0 ? `${h / 24} d` : `${h} h`);
const capsText = (c: Campaign) =>
  [
    ...(c.caps?.campaign ?? []).map((r) => `${r.max} per ${hoursText(r.windowHours)}`),
    ...Object.entries(c.caps?.perChannel ?? {}).flatMap(([channel, rules]) =>
      rules.map((r) => `${r.max} per ${hoursText(r.windowHours)} on ${channel}`),
    ),
  ].join(', ') || 'none';
const offersText = (c: Campaign) =>
  Object.entries(c.modules ?? {})
    .filter(([, m]) => m !== undefined)
    .map(([name, m]) => `${name}: ${(m?.options ?? []).map((o) => o.label ?? o.id).join(' / ')}`)
    .join('; ') || 'none';

const exampleRule = JSON.stringify({ path: 'value.tier', op: 'in', value: ['A', 'B'] }, null, 2);

export function MarketingScreen({ canWrite, canWriteCampaigns }: { canWrite: boolean; canWriteCampaigns: boolean }) {
  const [segments, setSegments] = useState<Segment[]>([]);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [counts, setCounts] = useState<{ customers: number; members: Record<string, number> } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<Segment | null>(null);
  const [liftOf, setLiftOf] = useState<Campaign | null>(null);
  const [campaignEdited, setCampaignEdited] = useState<Campaign | null>(null);
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
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="grid">
        <article className="card wide" aria-labelledby="segments">
          <h2 id="segments">Segments</h2>
          <p className="muted">
            {counts ? `${counts.customers} customers` : ''}{' '}
            <button type="button" className="link" onClick={() => void load()}>
              Refresh
            </button>
          </p>
          <DataTable
            label="Segments table"
            testId="segments"
            columns={['Segment', 'Name', 'Purpose', 'Members', 'Version', 'Back-fill']}
            actions={canWrite}
          >
            {segments.map((s) => (
              <tr key={s.id}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(s.id)} aria-label={`Members of ${s.id}`}>
                    {s.id}
                  </button>
                </td>
                <td>{s.name}</td>
                <td>{s.purpose}</td>
                <td data-testid={`count-${s.id}`}>{counts ? (counts.members[s.id] ?? 0) : '…'}</td>
                <td data-testid={`version-${s.id}`}>{s.version}</td>
                <td>{s.backfill ? `${s.backfill.status} ${s.backfill.processed}/${s.backfill.total}` : '—'}</td>
                {canWrite && (
                  <td>
                    <button type="button" className="link" onClick={() => setEditing(s)} aria-label={`Edit ${s.id}`}>
                      Edit
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        </article>
        {selected && <SegmentFlow segmentId={selected} />}
        {selected && <Members segmentId={selected} />}
        {canWrite && (
          <SegmentEditor
            key={editing?.id ?? 'new'}
            editing={editing}
            members={editing && counts ? (counts.members[editing.id] ?? 0) : null}
            onSaved={() => void load()}
            onDone={() => setEditing(null)}
          />
        )}
        <article className="card wide" aria-labelledby="campaigns">
          <h2 id="campaigns">Campaigns</h2>
          {campaigns.length ? (
            <DataTable
              label="Campaigns table"
              testId="campaigns"
              columns={['Campaign', 'Status', 'Segment', 'Channels', 'Holdout', 'Caps', 'Offers']}
              actions
            >
              {campaigns.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.name ?? c.id} <span className="muted">v{c.version}</span>
                  </td>
                  <td>{c.status}</td>
                  <td>{c.segmentId}</td>
                  <td>{(c.channels ?? []).join(', ')}</td>
                  <td data-testid={`holdout-${c.id}`}>
                    {c.holdoutShare === undefined ? '—' : `${Math.round(c.holdoutShare * 1000) / 10} %`}
                  </td>
                  <td>{capsText(c)}</td>
                  <td>{offersText(c)}</td>
                  <td>
                    <span className="actions">
                      <button type="button" className="link" onClick={() => setLiftOf(c)} aria-label={`Lift of ${c.id}`}>
                        Lift
                      </button>
                      {canWriteCampaigns && (
                        <button type="button" className="link" onClick={() => setCampaignEdited(c)} aria-label={`Edit campaign ${c.id}`}>
                          Edit
                        </button>
                      )}
                    </span>
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : (
            <p>No campaigns yet.</p>
          )}
          {liftOf && <Lift key={liftOf.id} campaign={liftOf} />}
        </article>
        {canWriteCampaigns && campaignEdited && (
          <CampaignEditor
            key={campaignEdited.id}
            campaign={campaignEdited}
            onSaved={() => void load()}
            onDone={() => setCampaignEdited(null)}
          />
        )}
        <ValueReportCard />
      </div>
    </section>
  );
}

/** A new segment, or a saved one edited (a new version when the rule, purpose or consent mode changes). */
function SegmentEditor({
  editing,
  members,
  onSaved,
  onDone,
}: {
  editing: Segment | null;
  members: number | null;
  onSaved: () => void;
  onDone: () => void;
}) {
  const [id, setId] = useState(editing?.id ?? '');
  const [name, setName] = useState(editing?.name ?? '');
  const [purpose, setPurpose] = useState(editing?.purpose ?? 'marketing');
  const [rule, setRule] = useState(editing ? JSON.stringify(editing.rule, null, 2) : exampleRule);
  const consentMode = editing?.consentMode;
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
      const body = {
        id: id || 'preview',
        name: name || 'preview',
        purpose,
        ...(consentMode ? { consentMode } : {}),
        rule: JSON.parse(rule) as unknown,
      };
      api<{ customers: number; matching: number }>('/api/platform/campaign/v1/segments/preview', { method: 'POST', body })
        .then(
          (p) =>
            current &&
            setPreview(`Would hold ${p.matching} of ${p.customers} customers now${members === null ? '' : ` (${members} members today)`}.`),
        )
        .catch((e: unknown) => current && setPreview(`Not valid: ${e instanceof Error ? e.message : String(e)}`));
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [rule, purpose, ruleProblem, id, name, consentMode, members]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const draft = {
        name,
        purpose,
        ...(consentMode ? { consentMode } : {}),
        ...(editing?.description !== undefined ? { description: editing.description } : {}),
        rule: JSON.parse(rule) as unknown,
      };
      const saved = editing
        ? await api<Segment>(`/api/platform/campaign/v1/segments/${encodeURIComponent(editing.id)}`, { method: 'PUT', body: draft })
        : await api<Segment>('/api/platform/campaign/v1/segments', { method: 'POST', body: { id, ...draft } });
      setMessage(`Saved segment ${saved.id} (version ${saved.version}).`);
      onSaved();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="card" aria-labelledby="new-segment">
      <h2 id="new-segment">{editing ? `Edit segment ${editing.id}` : 'New segment'}</h2>
      <form onSubmit={save} className="stack">
        <label>
          Id{' '}
          <input
            value={id}
            onChange={(e) => setId(e.target.value)}
            required
            readOnly={editing !== null}
            aria-invalid={idProblem !== null}
            aria-describedby="id-problem"
          />
        </label>
        <span id="id-problem" className="error">
          {idProblem ?? ''}
        </span>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Purpose <input value={purpose} onChange={(e) => setPurpose(e.target.value)} required />
        </label>
        <label>
          Rule (JSON){' '}
          <textarea
            value={rule}
            onChange={(e) => setRule(e.target.value)}
            rows={6}
            aria-invalid={ruleProblem !== null}
            aria-describedby="rule-problem"
          />
        </label>
        <span id="rule-problem" className="error">
          {ruleProblem ?? ''}
        </span>
        <p aria-live="polite" data-testid="preview">
          {preview ?? ''}
        </p>
        <span className="actions">
          <button type="submit" disabled={ruleProblem !== null || idProblem !== null}>
            Save segment
          </button>
          {editing && (
            <button type="button" onClick={onDone}>
              New segment instead
            </button>
          )}
        </span>
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
  const show = useCallback(async () => {
    try {
      setReport(await api<LiftReport>(`/api/platform/campaign/v1/campaigns/${encodeURIComponent(campaign.id)}/lift`));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [campaign.id]);
  useEffect(() => {
    void show();
  }, [show]);
  const labels = useMemo(() => ['treated', 'control'], []);
  const series = useMemo(
    () => [{ label: 'conversion rate %', data: [100 * (report?.treated?.rate ?? 0), 100 * (report?.control?.rate ?? 0)] }],
    [report],
  );
  return (
    <div>
      <h3>
        Lift of {campaign.name ?? campaign.id}{' '}
        <button type="button" className="link" onClick={() => void show()}>
          Refresh
        </button>
      </h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {report && (
        <>
          <BarChart labels={labels} series={series} label={`Conversion of treated and control customers for ${campaign.id}`} />
          <p data-testid={`lift-${campaign.id}`}>
            Treated {report.treated?.converted ?? 0}/{report.treated?.exposed ?? 0} ({pct(report.treated?.rate)}), control{' '}
            {report.control?.converted ?? 0}/{report.control?.exposed ?? 0} ({pct(report.control?.rate)}). Lift {pct(report.absoluteLift)}
            {report.absoluteInterval
              ? `, ${Math.round((report.confidence ?? 0.95) * 100)} % interval ${pct(report.absoluteInterval.lower)} to ${pct(report.absoluteInterval.upper)}`
              : ''}
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
    api<{ members: Array<{ customerId: string }>; next?: string }>(
      `/api/platform/campaign/v1/segments/${encodeURIComponent(segmentId)}/members?limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    )
      .then(setPage)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [segmentId, after]);
  return (
    <article className="card" aria-labelledby="members">
      <h2 id="members">Members of {segmentId}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page &&
        (page.members.length ? (
          <ul data-testid="members">
            {page.members.map((m) => (
              <li key={m.customerId}>
                <code>{m.customerId}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p>No members on this page.</p>
        ))}
      <div className="actions">
        {pages.length > 1 && (
          <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page?.next && (
          <button type="button" onClick={() => setPages([...pages, page.next])}>
            Next page
          </button>
        )}
        <a href={`/api/segments/${encodeURIComponent(segmentId)}/members.csv`} download>
          Export CSV
        </a>
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

interface ValueGroup {
  customers: number;
  scored: number;
  actualValue: number;
  meanActualValue: number | null;
  meanStrategicValue: number | null;
}
interface ValueByStage {
  customers: number;
  byStage: Array<{ stage: string } & ValueGroup>;
  byArchetype: Array<{ archetype: string } & ValueGroup>;
}

function ValueReportCard() {
  const [report, setReport] = useState<ValueReport | null>(null);
  const [byStage, setByStage] = useState<ValueByStage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<ValueReport>('/api/platform/value/v1/reports/value')
      .then(setReport)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    api<ValueByStage>('/api/platform/campaign/v1/reports/value-by-stage')
      .then(setByStage)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  const stages = useMemo(
    () => ({
      labels: (byStage?.byStage ?? []).map((s) => s.stage),
      series: [
        { label: 'mean actual value', data: (byStage?.byStage ?? []).map((s) => s.meanActualValue ?? 0) },
        { label: 'mean strategic value', data: (byStage?.byStage ?? []).map((s) => s.meanStrategicValue ?? 0) },
      ],
    }),
    [byStage],
  );
  const tiers = useMemo(() => {
    const names = Object.keys(report?.tiers ?? {}).sort();
    return { labels: names, series: [{ label: 'customers', data: names.map((t) => report?.tiers[t] ?? 0) }] };
  }, [report]);
  const bands = useMemo(
    () => ({
      labels: (report?.histogram ?? []).map((b) => (b.to === null ? `${b.from}+` : `${b.from}–${b.to}`)),
      series: [{ label: 'customers by actual value', data: (report?.histogram ?? []).map((b) => b.customers) }],
    }),
    [report],
  );
  return (
    <article className="card wide" aria-labelledby="value-report">
      <h2 id="value-report">Value</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {report && (
        <div className="grid">
          <div>
            <h3>Tiers ({report.customers} customers)</h3>
            <BarChart labels={tiers.labels} series={tiers.series} label="Customers per value tier" />
            <table data-testid="tiers">
              <tbody>
                {tiers.labels.map((t) => (
                  <tr key={t}>
                    <th scope="row">{t}</th>
                    <td>{report.tiers[t]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div>
            <h3>Actual value</h3>
            <BarChart labels={bands.labels} series={bands.series} label="Customers per band of actual value" />
          </div>
          <div>
            <h3>Most growable</h3>
            {report.mostGrowable.length ? (
              <ol>
                {report.mostGrowable.map((g) => (
                  <li key={g.customerId}>
                    <code>{g.customerId}</code> {g.tier}: {g.actualValue} now, {g.strategicValue} potential
                  </li>
                ))}
              </ol>
            ) : (
              <p>No strategic values yet (the value model is not fitted).</p>
            )}
          </div>
          {byStage && (
            <div>
              <h3>By relationship stage</h3>
              <BarChart labels={stages.labels} series={stages.series} label="Mean actual and strategic value per relationship stage" />
              <DataTable
                label="Value by relationship stage table"
                testId="value-by-stage"
                columns={['Stage', 'Customers', 'Scored', 'Mean value']}
              >
                {byStage.byStage.map((s) => (
                  <tr key={s.stage}>
                    <td>{s.stage}</td>
                    <td>{s.customers}</td>
                    <td>{s.scored}</td>
                    <td>{s.meanActualValue ?? '—'}</td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
          <div>
            <h3>By needs archetype</h3>
            <DataTable
              label="Value by needs archetype table"
              testId="value-by-archetype"
              columns={['Archetype', 'Customers', 'Mean value']}
            >
              {report.byArchetype.map((a) => (
                <tr key={a.archetype}>
                  <td>{a.archetype}</td>
                  <td>{a.customers}</td>
                  <td>{a.meanActualValue}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        </div>
      )}
    </article>
  );
}

/** Entries and exits per hour over the last day (campaign-customization counts them as it publishes them). */
function SegmentFlow({ segmentId }: { segmentId: string }) {
  const [flow, setFlow] = useState<{
    buckets: Array<{ start: string; entered: number; exited: number }>;
    entered: number;
    exited: number;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<NonNullable<typeof flow>>(`/api/platform/campaign/v1/segments/${encodeURIComponent(segmentId)}/flow?hours=24`)
      .then((f) => {
        setFlow(f);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [segmentId]);
  useEffect(load, [load]);
  const chart = useMemo(
    () => ({
      labels: (flow?.buckets ?? []).map((b) => `${b.start.slice(11, 13)}:00`),
      series: [
        { label: 'entries', data: (flow?.buckets ?? []).map((b) => b.entered) },
        { label: 'exits', data: (flow?.buckets ?? []).map((b) => b.exited) },
      ],
    }),
    [flow],
  );
  return (
    <article className="card" aria-labelledby="flow">
      <h2 id="flow">Entries and exits of {segmentId}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {flow && (
        <>
          <BarChart
            labels={chart.labels}
            series={chart.series}
            label={`Entries into and exits from ${segmentId} per hour (UTC) over the last 24 hours`}
          />
          <p data-testid={`flow-${segmentId}`}>
            {flow.entered} {flow.entered === 1 ? 'entry' : 'entries'}, {flow.exited} {flow.exited === 1 ? 'exit' : 'exits'} in the last 24
            hours.{' '}
            <button type="button" className="link" onClick={load}>
              Refresh
            </button>
          </p>
        </>
      )}
    </article>
  );
}

const editableCampaignFields = [
  'name',
  'status',
  'segmentId',
  'purpose',
  'channels',
  'goal',
  'attributionWindowDays',
  'startAt',
  'endAt',
  'holdoutShare',
  'priority',
  'conversionValue',
  'caps',
  'modules',
] as const;

/** A campaign's definition as JSON (holdout, caps, offers, schedule...): saved as its next version, validated by the service. */
function CampaignEditor({ campaign, onSaved, onDone }: { campaign: Campaign; onSaved: () => void; onDone: () => void }) {
  const initial = useMemo(
    () =>
      JSON.stringify(
        Object.fromEntries(editableCampaignFields.filter((f) => campaign[f] !== undefined).map((f) => [f, campaign[f]])),
        null,
        2,
      ),
    [campaign],
  );
  const [text, setText] = useState(initial);
  const [message, setMessage] = useState<string | null>(null);
  const problem = useMemo(() => {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? null : 'a campaign is a JSON object';
    } catch (e) {
      return e instanceof Error ? e.message : 'not JSON';
    }
  }, [text]);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const saved = await api<Campaign>(`/api/platform/campaign/v1/campaigns/${encodeURIComponent(campaign.id)}`, {
        method: 'PUT',
        body: JSON.parse(text) as unknown,
      });
      setMessage(`Saved campaign ${saved.id} (version ${String(saved.version)}).`);
      onSaved();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="card wide" aria-labelledby="edit-campaign">
      <h2 id="edit-campaign">Edit campaign {campaign.id}</h2>
      <form onSubmit={save} className="stack">
        <label>
          Definition (JSON){' '}
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={14}
            aria-invalid={problem !== null}
            aria-describedby="campaign-problem"
            data-testid="campaign-json"
          />
        </label>
        <span id="campaign-problem" className="error">
          {problem ?? ''}
        </span>
        <span className="actions">
          <button type="submit" disabled={problem !== null}>
            Save campaign
          </button>
          <button type="button" onClick={onDone}>
            Close
          </button>
        </span>
      </form>
      {message && <p role="status">{message}</p>}
    </article>
  );
}
