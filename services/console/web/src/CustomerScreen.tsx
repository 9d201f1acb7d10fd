import { FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { DataTable } from './DataTable';

interface Fact {
  key: string;
  value: unknown;
  source?: string;
  purpose?: string;
  confidence?: number;
  kind?: string;
  channel?: string;
  origin?: string;
  observedAt?: string;
}
interface AnswerSpec {
  type: 'boolean' | 'number' | 'text' | 'choice';
  options?: string[];
  min?: number;
  max?: number;
}
interface Profile {
  customerId: string;
  identifiers: Array<{ type: string; value: string; [k: string]: unknown }>;
  links: null | {
    forbidden?: boolean;
    identifiers?: Array<{ type: string; value: string; linkedBy: string; via?: string; at: string; score?: number }>;
    merges?: Array<{ mergedId: string; reason: string; at: string }>;
    related?: Array<{ customerId: string; kind: string; via: string; reason: string }>;
  };
  value: null | {
    forbidden?: boolean;
    tier?: string;
    actualValue?: number;
    strategicValue?: number;
    probabilityAlive?: number | null;
    currency?: string;
    purchases?: number;
    revenue?: number;
  };
  needs: null | {
    forbidden?: boolean;
    stage?: { current: string; reason: string; guidance?: unknown };
    facts?: Fact[];
    archetypes?: string[];
    consentedPurposes?: string[];
    unknown?: string[];
  };
  nextQuestion: null | {
    question?: null | { questionId: string; purpose: string; wording?: string; because: string; answer?: AnswerSpec };
  };
  nextAction: null | {
    greeting?: string;
    greetingName?: string;
    tier?: string;
    stage?: string;
    action?: { kind: 'offer' | 'control' | 'none'; campaignId?: string; reasons?: string[]; reason?: string; offer?: unknown };
  };
  contacts: null | Contacts;
  timeline: Array<{ id: string; time: string; channel: string; label: string; detail?: string }>;
}
interface Contacts {
  forbidden?: boolean;
  unavailable?: boolean;
  channel?: string;
  made?: Array<{ windowHours: number; all: number; channel: number }>;
  latest?: Array<{ contactId: string; at: string; campaignId?: string }>;
  caps?: Array<{ campaignId: string; scope: string; windowHours: number; max: number; used: number; left: number; source: string }>;
  campaigns?: Array<{ campaignId: string; name: string; capsLeft: number | null; contactAllowed: boolean }>;
}

const windowName = (hours: number) =>
  hours === 24 ? 'day' : hours === 168 ? 'week' : hours % 24 === 0 ? `${hours / 24} days` : `${hours} h`;

const identifierTypes = [
  ['phone', 'Phone'],
  ['email', 'E-mail'],
  ['loyaltyCard', 'Loyalty card'],
  ['userId', 'User id'],
  ['licensePlate', 'Licence plate'],
] as const;

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** What the relationship stage means for contact, in words. */
function guidanceText(guidance: unknown): string {
  if (!guidance || typeof guidance !== 'object') return typeof guidance === 'string' ? guidance : '';
  const g = guidance as { maxContactsPer30Days?: number; minDaysBetweenContacts?: number; content?: string[] };
  const parts: string[] = [];
  if (g.maxContactsPer30Days !== undefined) parts.push(`At most ${g.maxContactsPer30Days} contacts in 30 days`);
  if (g.minDaysBetweenContacts !== undefined) parts.push(`${g.minDaysBetweenContacts} days apart`);
  const sentence = parts.length ? `${parts.join(', ')}.` : '';
  return g.content?.length ? `${sentence} Talk about: ${g.content.join(', ')}.`.trim() : sentence;
}

/** Why an identifier belongs to this customer, in words. */
function linkReason(rule: string, via: string | undefined): string {
  const [kind, detail] = rule.split(':');
  const how =
    kind === 'deterministic'
      ? detail === 'first-seen'
        ? 'first seen on this customer'
        : `same ${detail ?? 'identifier'}`
      : kind === 'probabilistic'
        ? 'matched on personal details'
        : kind === 'review'
          ? 'linked by a reviewer'
          : rule;
  return via && !how.includes(via) ? `${how} (via ${via.split(':')[0]})` : how;
}

export function CustomerScreen({ channel, canDecide }: { channel: string; canDecide: boolean }) {
  const [type, setType] = useState('phone');
  const [value, setValue] = useState('');
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState<string>('');

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setProfile(await api<Profile>(`/api/customers/lookup?type=${encodeURIComponent(type)}&value=${encodeURIComponent(value.trim())}`));
    } catch (e) {
      setProfile(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const customerId = profile?.customerId;
  const reload = useCallback(async () => {
    if (!customerId) return;
    setProfile(await api<Profile>(`/api/customers/${encodeURIComponent(customerId)}`));
  }, [customerId]);

  useEffect(() => {
    if (!customerId) return;
    const source = new EventSource(`/api/customers/${encodeURIComponent(customerId)}/live`);
    source.addEventListener('change', (message) => {
      const change = JSON.parse((message as MessageEvent<string>).data) as { type: string; time: string; summary?: string };
      setLive(`Updated: ${change.type}${change.summary ? ` (${change.summary})` : ''} at ${new Date().toLocaleTimeString()}`);
      void reload();
    });
    return () => source.close();
  }, [customerId, reload]);

  return (
    <section aria-labelledby="customer-title">
      <h1 id="customer-title">Customer</h1>
      <form className="search" onSubmit={search} role="search">
        <label>
          Identifier
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {identifierTypes.map(([t, label]) => (
              <option key={t} value={t}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Value
          <input value={value} onChange={(e) => setValue(e.target.value)} required placeholder="+4930…, name@…, LC…" />
        </label>
        <button type="submit" disabled={busy}>
          Look up
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p aria-live="polite" className="live">
        {live}
      </p>
      {profile && (
        <CustomerView
          profile={profile}
          channel={channel}
          canDecide={canDecide}
          onChanged={() => setLive('Recorded: waiting for the profile to change…')}
        />
      )}
    </section>
  );
}

function CustomerView({
  profile,
  channel,
  canDecide,
  onChanged,
}: {
  profile: Profile;
  channel: string;
  canDecide: boolean;
  onChanged: () => void;
}) {
  const v = profile.value;
  const n = profile.needs;
  const brief = profile.nextAction;
  const question = profile.nextQuestion?.question ?? null;
  const name = brief?.greetingName;
  return (
    <div className="grid">
      <article className="card wide" aria-labelledby="greet">
        <h2 id="greet">{name ? `Greet as “${name}”` : 'Name not known yet'}</h2>
        <p className="muted">
          Customer {profile.customerId} · channel {channel}
        </p>
        <dl className="stats">
          <div>
            <dt>Tier</dt>
            <dd data-testid="tier">{v?.tier ?? brief?.tier ?? '—'}</dd>
          </div>
          <div>
            <dt>Actual value</dt>
            <dd>
              {show(v?.actualValue)} {v?.currency ?? ''}
            </dd>
          </div>
          <div>
            <dt>Strategic value</dt>
            <dd>
              {show(v?.strategicValue)} {v?.currency ?? ''}
            </dd>
          </div>
          <div>
            <dt>Chance still active</dt>
            <dd>{v?.probabilityAlive == null ? '—' : `${Math.round(v.probabilityAlive * 100)} %`}</dd>
          </div>
          <div>
            <dt>Orders</dt>
            <dd>{show(v?.purchases)}</dd>
          </div>
          <div>
            <dt>Stage</dt>
            <dd data-testid="stage">{n?.stage?.current ?? brief?.stage ?? '—'}</dd>
          </div>
        </dl>
        {n?.stage && (
          <p className="muted">
            {n.stage.reason}. {guidanceText(n.stage.guidance)}
          </p>
        )}
      </article>

      <article className="card" aria-labelledby="question">
        <h2 id="question">Next question</h2>
        {question ? <QuestionForm customerId={profile.customerId} question={question} onDone={onChanged} /> : <p>Nothing to ask now.</p>}
      </article>

      <article className="card" aria-labelledby="offer">
        <h2 id="offer">Next best offer</h2>
        <Offer customerId={profile.customerId} action={brief?.action} canDecide={canDecide} onDone={onChanged} />
      </article>

      <article className="card wide" aria-labelledby="facts">
        <h2 id="facts">Known facts</h2>
        {n?.facts?.length ? (
          <DataTable label="Known facts table" testId="facts" columns={['Fact', 'Value', 'Source', 'Purpose']}>
            {n.facts.map((f) => (
              <tr key={f.key}>
                <td>{f.key}</td>
                <td>{show(f.value)}</td>
                <td>{[f.kind, f.channel, f.origin ?? f.source].filter(Boolean).join(' · ') || '—'}</td>
                <td>{f.purpose ?? '—'}</td>
              </tr>
            ))}
          </DataTable>
        ) : (
          <p>No facts yet.</p>
        )}
        <p>
          <strong>Consents:</strong> {n?.consentedPurposes?.length ? n.consentedPurposes.join(', ') : 'none recorded'}
        </p>
        {n?.archetypes?.length ? (
          <p>
            <strong>Needs archetypes:</strong> {n.archetypes.join(', ')}
          </p>
        ) : null}
      </article>

      <article className="card" aria-labelledby="ids">
        <h2 id="ids">Linked identifiers</h2>
        <ul data-testid="identifiers">
          {(profile.links?.identifiers ?? profile.identifiers).map((i) => (
            <li key={`${i.type}:${i.value}`}>
              <span className="muted">{i.type}</span> {i.value}
              {'linkedBy' in i && typeof i.linkedBy === 'string' ? (
                <span className="muted"> · {linkReason(i.linkedBy, typeof i.via === 'string' ? i.via : undefined)}</span>
              ) : null}
            </li>
          ))}
        </ul>
        {profile.links?.merges?.length ? (
          <>
            <h3>Merged records</h3>
            <ul>
              {profile.links.merges.map((m) => (
                <li key={m.mergedId}>
                  <code>{m.mergedId}</code>: {m.reason}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <h3>Related people</h3>
        {profile.links?.related?.length ? (
          <ul data-testid="related">
            {profile.links.related.map((r) => (
              <li key={`${r.customerId}:${r.via}`}>
                {r.kind} <code>{r.customerId}</code> via {r.via}: {r.reason}
              </li>
            ))}
          </ul>
        ) : (
          <p>None known.</p>
        )}
      </article>

      <ContactsCard contacts={profile.contacts} />

      <article className="card" aria-labelledby="timeline">
        <h2 id="timeline">Recent interactions</h2>
        {profile.timeline.length ? (
          <ol className="timeline">
            {profile.timeline.map((t) => (
              <li key={t.id}>
                <time dateTime={t.time}>{new Date(t.time).toLocaleString()}</time> <span className="muted">{t.channel}</span> {t.label}
                {t.detail ? `: ${t.detail}` : ''}
              </li>
            ))}
          </ol>
        ) : (
          <p>Nothing seen since the console started.</p>
        )}
      </article>
    </div>
  );
}

function QuestionForm({
  customerId,
  question,
  onDone,
}: {
  customerId: string;
  question: { questionId: string; purpose: string; wording?: string; answer?: AnswerSpec };
  onDone: () => void;
}) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const send = async (answer: string | number | boolean) => {
    setMessage(null);
    try {
      await api(`/api/customers/${encodeURIComponent(customerId)}/answers`, {
        method: 'POST',
        body: { questionId: question.questionId, purpose: question.purpose, answer },
      });
      setMessage('Answer recorded.');
      onDone();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const spec = question.answer;
  return (
    <div>
      <p className="question" data-testid="question-wording">
        {question.wording ?? question.questionId}
      </p>
      <p className="muted">Purpose: {question.purpose}</p>
      <div className="actions" role="group" aria-label="Answer">
        {spec?.type === 'choice' &&
          spec.options?.map((o) => (
            <button key={o} type="button" onClick={() => void send(o)}>
              {o}
            </button>
          ))}
        {spec?.type === 'boolean' && (
          <>
            <button type="button" onClick={() => void send(true)}>
              Yes
            </button>
            <button type="button" onClick={() => void send(false)}>
              No
            </button>
          </>
        )}
        {(spec === undefined || spec.type === 'text' || spec.type === 'number') && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send(spec?.type === 'number' ? Number(text) : text);
            }}
          >
            <label>
              Answer{' '}
              <input value={text} onChange={(e) => setText(e.target.value)} type={spec?.type === 'number' ? 'number' : 'text'} required />
            </label>
            <button type="submit">Record</button>
          </form>
        )}
      </div>
      {message && <p role="status">{message}</p>}
    </div>
  );
}

function Offer({
  customerId,
  action,
  canDecide,
  onDone,
}: {
  customerId: string;
  action: NonNullable<Profile['nextAction']>['action'];
  canDecide: boolean;
  onDone: () => void;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const [decided, setDecided] = useState<{ decisionId?: string; action?: { kind: string; campaignId?: string; reason?: string } } | null>(
    null,
  );
  if (!action) return <p>No decision available.</p>;
  if (action.kind === 'none') return <p>Nothing to offer: {action.reason}</p>;
  if (action.kind === 'control') return <p>Hold back: this customer is in the control group of {action.campaignId}.</p>;
  const offer = async () => {
    try {
      setDecided(await api(`/api/customers/${encodeURIComponent(customerId)}/decision`, { method: 'POST', body: {} }));
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const record = async (outcome: 'accepted' | 'declined') => {
    const campaignId = decided?.action?.campaignId ?? action.campaignId;
    try {
      await api(`/api/customers/${encodeURIComponent(customerId)}/offer-outcomes`, {
        method: 'POST',
        body: { outcome, campaignId, ...(decided?.decisionId ? { decisionId: decided.decisionId } : {}) },
      });
      setMessage(`Recorded: ${outcome}.`);
      onDone();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div>
      <p>
        <strong>{action.campaignId}</strong>
      </p>
      <ul>
        {(action.reasons ?? []).map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {canDecide && decided === null && (
        <button type="button" onClick={() => void offer()}>
          Make this offer
        </button>
      )}
      {decided && decided.action?.kind !== 'offer' && (
        <p role="status">Not offered now: {decided.action?.kind === 'control' ? 'held out as control' : decided.action?.reason}.</p>
      )}
      {canDecide && decided?.action?.kind === 'offer' && (
        <div className="actions" role="group" aria-label="Offer outcome">
          <button type="button" onClick={() => void record('accepted')}>
            Accepted
          </button>
          <button type="button" onClick={() => void record('declined')}>
            Declined
          </button>
        </div>
      )}
      {message && <p role="status">{message}</p>}
    </div>
  );
}

/** Contacts made and what the caps leave (campaign-customization's counters, read only). */
function ContactsCard({ contacts }: { contacts: Contacts | null }) {
  return (
    <article className="card" aria-labelledby="contacts">
      <h2 id="contacts">Contacts and caps</h2>
      {!contacts || contacts.forbidden || contacts.unavailable || !contacts.made ? (
        <p>{contacts?.forbidden ? 'Not yours to see.' : 'No contact counts for this customer yet.'}</p>
      ) : (
        <>
          <table data-testid="contacts-made">
            <thead>
              <tr>
                <th scope="col">Over the last</th>
                <th scope="col">All channels</th>
                <th scope="col">{contacts.channel}</th>
              </tr>
            </thead>
            <tbody>
              {contacts.made.map((m) => (
                <tr key={m.windowHours}>
                  <th scope="row">{windowName(m.windowHours)}</th>
                  <td>{m.all}</td>
                  <td>{m.channel}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Caps left</h3>
          {contacts.campaigns?.length ? (
            <ul data-testid="caps-left">
              {contacts.campaigns.map((c) => (
                <li key={c.campaignId}>
                  <strong>{c.name}</strong>:{' '}
                  {c.capsLeft === null ? 'no cap on this channel' : `${c.capsLeft} more contact${c.capsLeft === 1 ? '' : 's'} allowed`}
                  {c.contactAllowed ? '' : ' (capped now)'}
                  <ul className="small">
                    {(contacts.caps ?? [])
                      .filter((cap) => cap.campaignId === c.campaignId)
                      .map((cap) => (
                        <li key={`${cap.scope}@${cap.windowHours}`}>
                          {cap.source} cap {cap.used}/{cap.max} per {windowName(cap.windowHours)} ({cap.scope})
                        </li>
                      ))}
                  </ul>
                </li>
              ))}
            </ul>
          ) : (
            <p>No live campaign on this channel can reach the customer now.</p>
          )}
          {contacts.latest?.length ? (
            <>
              <h3>Latest contacts</h3>
              <ol className="timeline">
                {contacts.latest.map((c) => (
                  <li key={c.contactId}>
                    <time dateTime={c.at}>{new Date(c.at).toLocaleString()}</time> {c.campaignId ?? 'campaign no longer defined'}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      )}
    </article>
  );
}
