import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { NeedsProfiledDataV1, topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import { expectEventually, uniqueId, waitForConsumerGroups } from '@o2o/testing';
import { SweepStagesHandler } from '../src/profiling/application/sweep-stages/sweep-stages.handler';
import { emptyProfile } from '../src/profiling/domain';
import { NeedsProfileRepository } from '../src/profiling/infrastructure/needs-profile.repository';
import { StageSweepLock } from '../src/profiling/infrastructure/stage-sweep.lock';
import { needsProfilingUnderTest, ResolvedFields, ResolvedOptions, resolvedEvent } from './needs-profiling.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

type EventSpec = ResolvedOptions & { fields: ResolvedFields };

interface NeedsResponse {
  customerId: string;
  mergedIds: string[];
  stage: {
    current: string;
    previous?: string;
    reason: string;
    guidance: { maxContactsPer30Days: number; content: string[] };
    transitions: Array<{ from: string; to: string; cause: string }>;
  };
  facts: Array<{ key: string; value: unknown; kind: string; channel: string; purpose: string }>;
  archetypes: string[];
  unknown: string[];
  consentedPurposes: string[];
}

interface NextQuestionResponse {
  customerId: string;
  question: { questionId: string; factKey: string; wording?: string } | null;
}

const resolved = (customerId: string, spec: EventSpec) => resolvedEvent(customerId, spec.fields, spec);

const track = (event: string, properties: Record<string, unknown>, options: Omit<EventSpec, 'fields'> = {}): EventSpec => ({
  ...options,
  fields: { eventType: 'track', event, properties },
});
const identify = (traits: Record<string, unknown>, options: Omit<EventSpec, 'fields'> = {}): EventSpec => ({
  ...options,
  fields: { eventType: 'identify', traits },
});
const consents = (purposes: string[], options: Omit<EventSpec, 'fields'> = {}) =>
  track('Preferences Updated', { consents: Object.fromEntries(purposes.map((p) => [p, true])) }, options);

describe('needs-profiling (real Kafka, MongoDB, Redis)', () => {
  const profilesTopic = topic(topics.needsProfiles.name);

  const sut = needsProfilingUnderTest(run, {
    env: { NEEDS_JOURNAL_LIMIT: '100' },
    spyOn: () => [profilesTopic],
    telemetry: { start: () => startTelemetry({ serviceName: 'needs-profiling-test' }), stop: stopTelemetry },
  });

  /** Produces resolved events keyed by `key` (the customer id unless a test needs another partition). */
  async function send(customerId: string, specs: EventSpec[], options: { key?: string; traceparent?: string } = {}) {
    const envelopes = specs.map((spec) => resolved(customerId, spec));
    await sut.producer.send({
      topic: topic(topics.identityEvents.name),
      acks: -1,
      messages: envelopes.map((event) => ({
        key: options.key ?? customerId,
        value: JSON.stringify(event),
        ...(options.traceparent ? { headers: { traceparent: options.traceparent } } : {}),
      })),
    });
    return envelopes;
  }

  async function sendChange(key: string, event: ReturnType<typeof createEnvelope>) {
    await sut.producer.send({ topic: topic(topics.identityChanges.name), acks: -1, messages: [{ key, value: JSON.stringify(event) }] });
  }

  const get = <T>(path: string) => sut.get<T>(path);
  const needsOf = async (id: string) => (await get<NeedsResponse>(`/v1/customers/${id}/needs`)).body;
  const factOf = (needs: NeedsResponse, key: string) => needs.facts.find((f) => f.key === key);
  const published = (key: string) => sut.spy.on(profilesTopic).filter((m) => m.key === key);
  const lastPublished = (key: string) => {
    const last = published(key).at(-1);
    if (!last) throw new Error(`nothing published for ${key} yet`);
    return last;
  };
  const profilesCollection = () => sut.service.app.get<Connection>(getConnectionToken()).collection('needs_profiles');
  /** The same collection, for documents in the nested form of earlier releases. */
  const legacyProfiles = () =>
    sut.service.app.get<Connection>(getConnectionToken()).collection<{ _id: string } & Record<string, unknown>>('needs_profiles');

  it('builds one profile from events of several channels: facts, archetypes, stage transitions, next questions, publication', async () => {
    const a = uniqueId('cus_a');
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    await send(a, [
      consents(['contact', 'personalisation', 'service'], { channel: 'web', at: ago(3) }),
      { channel: 'web', at: ago(3), fields: { eventType: 'page', name: 'Category', category: 'Home Office' } },
      track('Product Viewed', { product_id: 'desk-1', category: 'Home Office' }, { channel: 'web', at: ago(2.9) }),
      track('Product Viewed', { product_id: 'chair-2', category: 'Home Office' }, { channel: 'app', at: ago(2.8) }),
      track('Question Asked', { questionId: 'contact-preferred-channel' }, { channel: 'call-centre', at: ago(2) }),
      track('Question Answered', { questionId: 'contact-preferred-channel', answer: 'Email' }, { channel: 'call-centre', at: ago(2) }),
      track(
        'Order Completed',
        { order_id: 'o-1', total: 120, products: [{ product_id: 'desk-1', category: 'Home Office' }] },
        { channel: 'store', at: ago(1) },
      ),
    ]);
    await send(a, [identify({ workLocation: 'home', email: 'someone@example.com' }, { channel: 'app', at: ago(0.5) })], {
      traceparent: `00-${traceId}-1122334455667788-01`,
    });

    const needs = await expectEventually(async () => {
      const { status, body } = await get<NeedsResponse>(`/v1/customers/${a}/needs`);
      expect(status).toBe(200);
      expect(factOf(body, 'work.location')?.value).toBe('home');
      return body;
    });
    expect(factOf(needs, 'contact.preferredChannel')).toMatchObject({
      value: 'email',
      kind: 'explicit',
      channel: 'call-centre',
      purpose: 'contact',
    });
    expect(factOf(needs, 'work.location')).toMatchObject({ kind: 'explicit', channel: 'app' });
    expect(needs.facts.some((f) => f.key.startsWith('affinity.category.home-office'))).toBe(true);
    expect(needs.facts.some((f) => String(f.value).includes('example.com'))).toBe(false);
    expect(needs.archetypes).toContain('works-from-home');
    expect(needs.consentedPurposes).toEqual(['contact', 'personalisation', 'service']);
    expect(needs.stage.current).toBe('purchase');
    expect(needs.stage.guidance.content.length).toBeGreaterThan(0);
    expect(needs.stage.transitions.map((t) => `${t.from}>${t.to}`)).toEqual(expect.arrayContaining(['consideration>purchase']));
    expect(needs.unknown).toContain('household.children');
    expect(needs.unknown).not.toContain('contact.preferredChannel');
    expect(needs.unknown).not.toContain('work.location');

    const web = await get<NextQuestionResponse>(`/v1/customers/${a}/next-question?channel=web`);
    expect(web.status).toBe(200);
    expect(web.body.question).toMatchObject({ questionId: 'household-children', wording: 'Are there children in your household?' });
    const callCentre = await get<NextQuestionResponse>(`/v1/customers/${a}/next-question?channel=call-centre`);
    expect(callCentre.body.question?.questionId).toBe('household-children');

    const message = await expectEventually(() => {
      const last = lastPublished(a);
      expect((last.value as { data: NeedsProfiledDataV1 }).data.archetypes).toContain('works-from-home');
      return last;
    });
    const data = (message.value as { type: string; data: NeedsProfiledDataV1 }).data;
    expect(message.value).toMatchObject({ type: 'customer.needs-profiled', version: 1, subject: a });
    expect(data).toMatchObject({ customerId: a, stage: 'purchase', nextQuestion: { questionId: 'household-children' } });
    expect(data.facts.find((f) => f.key === 'work.location')).toMatchObject({ value: 'home', channel: 'app' });
    // The publication caused by the traced identify continues its trace.
    expect(message.headers['traceparent']).toContain(traceId);
  });

  it('changes nothing and publishes nothing when a batch is redelivered', async () => {
    const r = uniqueId('cus_r');
    const first = await send(r, [
      consents(['contact'], { at: ago(1) }),
      track('Question Answered', { questionId: 'contact-preferred-channel', answer: 'sms' }, { channel: 'app', at: ago(1) }),
      track('Order Completed', { order_id: 'o-r', total: 10 }, { channel: 'web', at: ago(0.9) }),
    ]);
    await expectEventually(() => expect(published(r).length).toBeGreaterThan(0));
    await expectEventually(async () => expect((await needsOf(r)).stage.current).toBe('purchase'));
    // The first events may take several batches and publications: count them once the service
    // committed all it was given and the spy read all that was written.
    await waitForConsumerGroups(sut.config.KAFKA_BROKERS, [`${run}.${sut.config.KAFKA_GROUP_ID}`], { timeoutMs: 60000 });
    await sut.spy.waitUntilCaughtUp();
    const before = await profilesCollection().findOne({ _id: r } as Record<string, unknown>);
    const publishedBefore = published(r).length;

    // The same envelopes again, then a marker on the same partition: once the marker is
    // published, the redelivered events have been processed.
    await sut.producer.send({
      topic: topic(topics.identityEvents.name),
      acks: -1,
      messages: first.map((event) => ({ key: r, value: JSON.stringify(event) })),
    });
    const marker = uniqueId('cus_marker');
    await send(marker, [consents(['contact'])], { key: r });
    await expectEventually(() => expect(published(marker).length).toBe(1));

    const after = await profilesCollection().findOne({ _id: r } as Record<string, unknown>);
    expect(after?.['version']).toBe(before?.['version']);
    expect(after?.['writeId']).toBe(before?.['writeId']);
    expect(published(r).length).toBe(publishedBefore);
  });

  it('folds a merged customer into the survivor, tombstones it, and maps its late events to the survivor', async () => {
    const survivor = uniqueId('cus_s');
    const merged = uniqueId('cus_m');
    await send(survivor, [
      consents(['contact', 'personalisation'], { at: ago(5) }),
      track('Question Answered', { questionId: 'contact-preferred-channel', answer: 'phone' }, { channel: 'call-centre', at: ago(5) }),
    ]);
    await send(merged, [
      identify({ hasChildren: true }, { channel: 'store', at: ago(4) }),
      track('Question Asked', { questionId: 'work-location' }, { channel: 'web', at: ago(4) }),
    ]);
    await expectEventually(() => {
      expect(published(survivor).length).toBeGreaterThan(0);
      expect(published(merged).length).toBeGreaterThan(0);
    });

    await sendChange(
      survivor,
      createEnvelope({
        type: 'customer.merged',
        version: 1,
        source: '/test/identity-resolution',
        subject: survivor,
        id: `merge:${merged}:${survivor}`,
        data: { survivorId: survivor, mergedId: merged, reason: 'same e-mail', evidence: [], mergedAt: new Date().toISOString() },
      }),
    );
    await expectEventually(() => {
      const data = (lastPublished(survivor).value as { data: NeedsProfiledDataV1 }).data;
      expect(data.facts.find((f) => f.key === 'household.children')?.value).toBe(true);
      expect(data.archetypes).toContain('family-with-children');
      expect(data.facts.find((f) => f.key === 'contact.preferredChannel')?.value).toBe('phone');
      expect(lastPublished(merged).value).toBeNull();
    });

    // A late event still carrying the merged id lands on the survivor.
    await send(merged, [track('Question Answered', { questionId: 'work-location', answer: 'hybrid' }, { channel: 'web', at: ago(1) })]);
    await expectEventually(async () => expect(factOf(await needsOf(survivor), 'work.location')?.value).toBe('hybrid'));
    const viaMerged = await needsOf(merged);
    expect(viaMerged.customerId).toBe(survivor);
    // Nothing published under the merged id after its tombstone: read once the spy read everything.
    await sut.spy.waitUntilCaughtUp();
    const history = published(merged);
    const tombstoneAt = history.findIndex((m) => m.value === null);
    expect(tombstoneAt).toBeGreaterThan(0);
    expect(history.slice(tombstoneAt).every((m) => m.value === null)).toBe(true);
  });

  it('never returns a question whose answer is known, asking and answering through events until nothing is left', async () => {
    const c = uniqueId('cus_q');
    await send(c, [
      consents(['contact', 'personalisation', 'service'], { at: ago(2) }),
      track('Order Completed', { order_id: 'o-q', total: 50 }, { channel: 'web', at: ago(2) }),
    ]);
    await expectEventually(async () => expect((await needsOf(c)).stage.current).toBe('purchase'));
    const bank = sut.config.profiling.questionBank.questions;
    const answered = new Set<string>();
    for (let round = 0; round < bank.length + 1; round++) {
      const { body } = await get<NextQuestionResponse>(`/v1/customers/${c}/next-question?channel=call-centre`);
      const needs = await needsOf(c);
      const question = body.question;
      if (question === null) break;
      expect(answered.has(question.questionId)).toBe(false);
      expect(needs.facts.some((f) => f.key === question.factKey && f.kind === 'explicit')).toBe(false);
      const spec = bank.find((q) => q.id === question.questionId)?.answer;
      const answer =
        question.questionId === 'travel-frequency'
          ? 'monthly'
          : spec?.type === 'choice'
            ? spec.options[0]
            : spec?.type === 'boolean'
              ? false
              : 'The Times';
      await send(c, [
        track('Question Asked', { questionId: question.questionId }, { channel: 'call-centre' }),
        track('Question Answered', { questionId: question.questionId, answer }, { channel: 'call-centre' }),
      ]);
      answered.add(question.questionId);
      await expectEventually(async () => expect(factOf(await needsOf(c), question.factKey)?.kind).toBe('explicit'));
    }
    expect([...answered].sort()).toEqual(bank.map((q) => q.id).sort());
    const final = await needsOf(c);
    expect(final.unknown).toEqual([]);
    expect(final.stage.current).toBe('connection');
    expect((await get<NextQuestionResponse>(`/v1/customers/${c}/next-question?channel=web`)).body.question).toBeNull();
  });

  it('moves inactive customers to lapsing in the stage sweep, under a lock, and publishes the transition', async () => {
    const d = uniqueId('cus_d');
    await send(d, [track('Order Completed', { order_id: 'o-d', total: 30 }, { channel: 'store', at: ago(100) })]);
    await expectEventually(() => expect((lastPublished(d).value as { data: NeedsProfiledDataV1 }).data.stage).toBe('purchase'));
    // The API evaluates at the current time without waiting for the sweep.
    expect((await needsOf(d)).stage.current).toBe('lapsing');

    const lock = sut.service.app.get(StageSweepLock);
    const sweep = sut.service.app.get(SweepStagesHandler);
    const held = await lock.acquire(10_000);
    expect(held).toBeDefined();
    expect(await sweep.execute()).toBeUndefined();
    if (held) await lock.release(held);

    const result = await sweep.execute();
    expect(result?.transitions).toBeGreaterThanOrEqual(1);
    await expectEventually(() => {
      const data = (lastPublished(d).value as { data: NeedsProfiledDataV1 }).data;
      expect(data).toMatchObject({ stage: 'lapsing', previousStage: 'purchase' });
    });
    await sut.spy.waitUntilCaughtUp();
    const count = published(d).length;
    expect((await sweep.execute())?.transitions).toBe(0);
    await sut.spy.waitUntilCaughtUp();
    expect(published(d).length).toBe(count);
  });

  it('rebuilds both parts when a merged customer is split again', async () => {
    const e = uniqueId('cus_e');
    const f = uniqueId('cus_f');
    const email = { type: 'email', value: `${e}@example.com` };
    const phone = { type: 'phone', value: '+4915112345678' };
    await send(e, [
      consents(['contact', 'personalisation'], { at: ago(6), identifiers: [email] }),
      identify({ workLocation: 'office' }, { at: ago(6), identifiers: [email] }),
    ]);
    await send(f, [identify({ hasChildren: true }, { channel: 'store', at: ago(5), identifiers: [phone] })]);
    await expectEventually(() => expect(published(f).length).toBeGreaterThan(0));
    await sendChange(
      e,
      createEnvelope({
        type: 'customer.merged',
        version: 1,
        source: '/test',
        subject: e,
        data: { survivorId: e, mergedId: f, reason: 'probabilistic', evidence: [], mergedAt: ago(0.1) },
      }),
    );
    await expectEventually(async () => expect(factOf(await needsOf(e), 'household.children')?.value).toBe(true));

    await sendChange(
      e,
      createEnvelope({
        type: 'customer.split',
        version: 1,
        source: '/test',
        subject: e,
        data: {
          customerId: e,
          parts: [
            { customerId: e, identifiers: [email] },
            { customerId: f, identifiers: [phone] },
          ],
          reason: 'wrong merge',
          splitAt: new Date().toISOString(),
        },
      }),
    );
    await expectEventually(async () => {
      const first = await needsOf(e);
      const second = await needsOf(f);
      expect(factOf(first, 'household.children')).toBeUndefined();
      expect(factOf(first, 'work.location')?.value).toBe('office');
      expect(second.customerId).toBe(f);
      expect(factOf(second, 'household.children')?.value).toBe(true);
      expect(factOf(second, 'work.location')).toBeUndefined();
    });
    await expectEventually(() => {
      expect((lastPublished(f).value as { data: NeedsProfiledDataV1 } | null)?.data.customerId).toBe(f);
      expect((lastPublished(e).value as { data: NeedsProfiledDataV1 }).data.facts.some((x) => x.key === 'household.children')).toBe(false);
    });
  });

  it('reports a write that lost a version race as a conflict and leaves the winner in place', async () => {
    const repository = sut.service.app.get(NeedsProfileRepository);
    const id = uniqueId('cus_v');
    const winner = { ...emptyProfile(id), archetypes: ['winner'] };
    expect(await repository.save([{ id, expectedVersion: 0, exists: false, profile: winner }], 10)).toEqual(new Set());
    // A second writer that read version 0 too, batched with a write that does not race.
    const other = uniqueId('cus_v');
    const conflicts = await repository.save(
      [
        { id, expectedVersion: 0, exists: true, profile: { ...emptyProfile(id), archetypes: ['loser'] } },
        { id: other, expectedVersion: 0, exists: false, profile: emptyProfile(other) },
      ],
      10,
    );
    expect(conflicts).toEqual(new Set([id]));
    const stored = await repository.find([id, other]);
    expect(stored.get(id)).toMatchObject({ version: 1, profile: { archetypes: ['winner'] } });
    expect(stored.get(other)?.version).toBe(1);
  });

  it('reads documents in the nested form of earlier releases, pages them in the sweep, and rewrites them as text', async () => {
    const repository = sut.service.app.get(NeedsProfileRepository);
    const prefix = uniqueId('cus_legacy');
    const [live, lost, textLost, marked] = ['live', 'lost', 'text-lost', 'marked'].map((s) => `${prefix}-${s}`);
    if (!live || !lost || !textLost || !marked) throw new Error('ids');
    const profileOf = (id: string, stage: 'purchase' | 'lost') => ({
      ...emptyProfile(id),
      archetypes: ['works-from-home'],
      stage: { current: stage, reason: 'legacy', transitions: [] },
    });
    const publishedOf = (id: string): NeedsProfiledDataV1 => ({
      customerId: id,
      stage: 'purchase',
      stageReason: 'legacy',
      facts: [],
      archetypes: ['works-from-home'],
      unknown: [],
      updatedAt: '2026-12-01T00:00:00.000Z',
    });
    const entry = (id: string, n: number) => ({
      id: `${id}-e${n}`,
      at: `2026-12-0${5 - n}T00:00:00.000Z`,
      customerId: id,
      identifierHashes: ['h'],
      event: '{}',
    });
    await legacyProfiles().insertMany([
      {
        _id: live,
        version: 3,
        profile: profileOf(live, 'purchase'),
        published: publishedOf(live),
        journal: [entry(live, 2), entry(live, 1)],
        writeId: 'old',
      },
      { _id: lost, version: 1, profile: profileOf(lost, 'lost'), journal: [] },
      { _id: marked, version: 1, profile: profileOf(marked, 'purchase'), published: publishedOf(marked) },
    ]);
    expect(await repository.save([{ id: textLost, expectedVersion: 0, exists: false, profile: profileOf(textLost, 'lost') }], 10)).toEqual(
      new Set(),
    );

    const read = await repository.find([live, lost], true);
    expect(read.get(live)).toMatchObject({
      version: 3,
      profile: { archetypes: ['works-from-home'] },
      published: { customerId: live },
      journal: [entry(live, 2), entry(live, 1)],
    });
    // The sweep pages live profiles of either form and skips lost ones of either form.
    expect((await repository.page(prefix, 20)).filter((d) => d._id.startsWith(prefix)).map((d) => d._id)).toEqual([live, marked]);

    const next = { ...profileOf(live, 'purchase'), archetypes: ['rewritten'] };
    const conflicts = await repository.save(
      [{ id: live, expectedVersion: 3, exists: true, profile: next, journal: { append: [entry(live, 0)] }, published: publishedOf(live) }],
      10,
    );
    expect(conflicts).toEqual(new Set());
    const raw = await profilesCollection().findOne({ _id: live } as Record<string, unknown>);
    expect(raw).toMatchObject({ version: 4, stage: 'purchase', profileJson: expect.any(String), publishedJson: expect.any(String) });
    expect(raw?.['profile']).toBeUndefined();
    expect(raw?.['published']).toBeUndefined();
    expect((await repository.findOne(live, true))?.journal).toEqual([entry(live, 2), entry(live, 1), entry(live, 0)]);
    expect((await repository.findOne(live))?.profile?.archetypes).toEqual(['rewritten']);

    // Recording a publication on a nested document leaves the profile nested and the publication as text.
    await repository.markPublished([
      { id: marked, version: 1, published: { ...publishedOf(marked), stage: 'lapsing' } as NeedsProfiledDataV1 },
    ]);
    const markedRaw = await profilesCollection().findOne({ _id: marked } as Record<string, unknown>);
    expect(markedRaw?.['published']).toBeUndefined();
    expect(await repository.findOne(marked)).toMatchObject({ profile: { customerId: marked }, published: { stage: 'lapsing' } });

    // A merge leaves a pointer without any content, of either form.
    expect(await repository.markMerged(live, marked, 4, true, true)).toBe(true);
    expect(await repository.markMerged(lost, marked, 1, true, false)).toBe(true);
    for (const id of [live, lost]) {
      const pointer = await profilesCollection().findOne({ _id: id } as Record<string, unknown>);
      expect(pointer).toMatchObject({ mergedInto: marked });
      for (const field of ['profileJson', 'stage', 'publishedJson', 'journal', 'profile', 'published'])
        expect({ id, field, value: pointer?.[field] }).toEqual({ id, field, value: undefined });
    }
  });

  it('answers 404 for an unknown customer and 400 for an unknown channel', async () => {
    expect((await get(`/v1/customers/${uniqueId('nobody')}/needs`)).status).toBe(404);
    expect((await get(`/v1/customers/${uniqueId('nobody')}/next-question?channel=web`)).status).toBe(404);
    const known = uniqueId('cus_k');
    await send(known, [consents(['contact'])]);
    await expectEventually(async () => expect((await get(`/v1/customers/${known}/needs`)).status).toBe(200));
    expect((await get(`/v1/customers/${known}/next-question?channel=fax`)).status).toBe(400);
    expect((await get<NextQuestionResponse>(`/v1/customers/${known}/next-question`)).body.question?.questionId).toBe(
      'contact-preferred-channel',
    );
  });
});
