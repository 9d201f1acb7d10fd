import { randomUUID } from 'node:crypto';
import { DemoChannel, DemoMessage, demoCampaignProducts, DemoPopulation } from '../demo/demo-population';
import { demoWriteKeys } from '../demo/demo-sources';

/**
 * Sends realistic demo traffic to ingestion's Segment-compatible API, one /v1/batch per channel
 * source per tick, with the demo write keys (ingestion creates them with INGESTION_DEMO_SOURCES).
 * It also closes the loop: it creates the demo campaigns (one product per category), and each
 * tick the call centre asks campaign-customization for the next best action of a few customers
 * (POST next-action, as the demo agent) and reports what became of the offer and the question
 * (Offer Presented / Accepted / Declined, or nothing: the platform records Offer Ignored; Question
 * Asked / Answered / Declined).
 *   INGESTION_URL (http://127.0.0.1:3000)  CAMPAIGN_URL (http://127.0.0.1:3004)  AUTH_ISSUER (http://127.0.0.1:3005)
 * It first imports a year of the past customers' order history (/v1/import, seeded), so the value
 * model has repeat purchases in distinct weeks to learn from and fits within minutes.
 *   DEMO_RATE events/s (20)  DEMO_CUSTOMERS (500)  DEMO_CONTACTS per tick (2)  DEMO_DURATION_S (0 = until stopped)
 *   DEMO_HISTORY_DAYS (365; 0 = no history)  DEMO_SEED (1: the people and their history)
 */
const url = process.env['INGESTION_URL'] ?? 'http://127.0.0.1:3000';
const rate = Number(process.env['DEMO_RATE'] ?? 20);
const customers = Number(process.env['DEMO_CUSTOMERS'] ?? 500);
const durationS = Number(process.env['DEMO_DURATION_S'] ?? 0);
const tickMs = 500;
const campaignUrl = process.env['CAMPAIGN_URL'] ?? 'http://127.0.0.1:3004';
const issuer = process.env['AUTH_ISSUER'] ?? 'http://127.0.0.1:3005';
const contactsPerTick = Number(process.env['DEMO_CONTACTS'] ?? 2);
const historyDays = Number(process.env['DEMO_HISTORY_DAYS'] ?? 365);
const seed = Number(process.env['DEMO_SEED'] ?? 1);

async function token(role: 'agent' | 'marketer', scope: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`demo-${role}:demo-${role}-demo-secret`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    if (!response.ok) return undefined;
    return ((await response.json()) as { access_token?: string }).access_token;
  } catch {
    return undefined;
  }
}

/** The demo campaigns (a 409 means they exist already). */
async function createCampaigns(): Promise<void> {
  const bearer = await token('marketer', 'campaigns:write');
  if (bearer === undefined) {
    process.stderr.write('demo-traffic: no marketer token; demo campaigns not created\n');
    return;
  }
  for (const product of demoCampaignProducts) {
    const response = await fetch(`${campaignUrl}/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({
        id: product.campaignId,
        name: `${product.label} (demo)`,
        status: 'active',
        segmentId: 'purchase-stage-or-beyond',
        purpose: 'marketing',
        channels: ['call-centre', 'email'],
        goal: { event: 'Offer Accepted' },
        attributionWindowDays: 30,
        startAt: '2026-01-01T00:00:00.000Z',
        holdoutShare: 0.1,
        responseWindowHours: 0.05,
        caps: { campaign: [{ max: 2, windowHours: 24 }] },
        modules: {
          product: {
            options: [
              {
                id: product.optionId,
                label: product.label,
                weight: 1,
                attributes: { sku: product.optionId.toUpperCase(), category: product.category },
              },
            ],
          },
        },
      }),
    }).catch(() => undefined);
    process.stdout.write(
      `demo-traffic: campaign ${product.campaignId}: HTTP ${response?.status ?? 'unreachable'} (201 created, 409 already there)\n`,
    );
  }
}

interface NextActionAnswer {
  decisionId?: string;
  action?: { kind: string; campaignId?: string; offer?: { modules?: Array<{ module: string; attributes?: Record<string, unknown> }> } };
  nextQuestion?: { questionId: string; purpose: string };
}

/** The call centre's contacts of this tick: decide, then report the customer's responses. */
async function contact(population: DemoPopulation, bearer: string): Promise<DemoMessage[]> {
  const out: DemoMessage[] = [];
  for (const userId of population.contactable(contactsPerTick)) {
    try {
      const response = await fetch(`${campaignUrl}/v1/customers/by/userId/${encodeURIComponent(userId)}/next-action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ channel: 'call-centre' }),
      });
      if (!response.ok) continue;
      const answer = (await response.json()) as NextActionAnswer;
      if (answer.action?.kind === 'offer' && answer.decisionId !== undefined && answer.action.campaignId !== undefined) {
        const category = answer.action.offer?.modules?.find((m) => m.module === 'product')?.attributes?.['category'];
        out.push(
          ...population.respond({
            userId,
            decisionId: answer.decisionId,
            campaignId: answer.action.campaignId,
            ...(typeof category === 'string' ? { category } : {}),
          }),
        );
      }
      if (answer.nextQuestion !== undefined)
        out.push(...population.reply(userId, answer.nextQuestion.questionId, answer.nextQuestion.purpose));
    } catch {
      // The campaign service may still be starting; the next tick tries again.
    }
  }
  return out;
}

/** The history, a batch of 200 per request, each message with its channel's write key; retried while ingestion is starting. */
async function importHistory(population: DemoPopulation): Promise<void> {
  const history = population.history(historyDays, { seed });
  let imported = 0;
  for (let start = 0; start < history.length; start += 200) {
    const chunk = history.slice(start, start + 200);
    const byChannel = new Map<DemoChannel, Record<string, unknown>[]>();
    for (const { channel, message } of chunk) byChannel.set(channel, [...(byChannel.get(channel) ?? []), message]);
    for (const [channel, batch] of byChannel) {
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${url}/v1/import`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${demoWriteKeys[channel]}:`).toString('base64')}`,
          },
          body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
        }).catch((error: unknown) => error as Error);
        if (!(response instanceof Error) && response.ok) break;
        const why = response instanceof Error ? response.message : `${response.status}: ${await response.text()}`;
        if (attempt >= 5) throw new Error(`demo-traffic: history import refused (${why})`);
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
      imported += batch.length;
    }
  }
  process.stdout.write(`demo-traffic: imported ${imported} historical events (${historyDays} days of orders)\n`);
}

async function main(): Promise<void> {
  const population = new DemoPopulation(customers, seed);
  await createCampaigns();
  await importHistory(population).catch((error: unknown) =>
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}; live traffic goes on without it\n`),
  );
  let agent = await token('agent', 'profiles:read decisions:write');
  let agentAt = Date.now();
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  let carry = 0;
  for (;;) {
    if (durationS > 0 && Date.now() - started > durationS * 1000) break;
    const tickStart = Date.now();
    carry += (rate * tickMs) / 1000;
    const count = Math.floor(carry);
    carry -= count;
    const byChannel = new Map<DemoChannel, Record<string, unknown>[]>();
    if (agent === undefined || Date.now() - agentAt > 5 * 60_000) {
      agent = await token('agent', 'profiles:read decisions:write');
      agentAt = Date.now();
    }
    const outcomes = agent !== undefined && contactsPerTick > 0 ? await contact(population, agent) : [];
    for (const { channel, message } of [...population.next(count), ...outcomes]) {
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), message]);
    }
    await Promise.all(
      [...byChannel.entries()].map(async ([channel, batch]) => {
        try {
          const response = await fetch(`${url}/v1/batch`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Basic ${Buffer.from(`${demoWriteKeys[channel]}:`).toString('base64')}`,
            },
            body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
          });
          if (response.ok) sent += batch.length;
          else {
            failed += batch.length;
            process.stderr.write(`demo-traffic: ${channel} batch answered ${response.status}: ${await response.text()}\n`);
          }
        } catch (error) {
          failed += batch.length;
          process.stderr.write(`demo-traffic: ${channel} batch failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }),
    );
    if (Math.floor((Date.now() - started) / 10000) !== Math.floor((tickStart - started) / 10000)) {
      process.stdout.write(`demo-traffic: ${sent} events accepted, ${failed} failed\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - tickStart))));
  }
  process.stdout.write(`demo-traffic: done, ${sent} events accepted, ${failed} failed\n`);
}

void main();
