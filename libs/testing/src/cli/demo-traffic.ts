import { DemoChannel, DemoPopulation } from '../demo/demo-population';

/**
 * Sends realistic demo traffic to ingestion's Segment-compatible API, one /v1/batch per channel
 * source per tick, with the demo write keys (ingestion creates them with INGESTION_DEMO_SOURCES).
 *   INGESTION_URL (http://127.0.0.1:3000)  DEMO_RATE events/s (20)  DEMO_CUSTOMERS (500)
 *   DEMO_DURATION_S (0 = until stopped)
 */
const url = process.env['INGESTION_URL'] ?? 'http://127.0.0.1:3000';
const rate = Number(process.env['DEMO_RATE'] ?? 20);
const customers = Number(process.env['DEMO_CUSTOMERS'] ?? 500);
const durationS = Number(process.env['DEMO_DURATION_S'] ?? 0);
const tickMs = 500;

const writeKeys: Record<DemoChannel, string> = {
  web: 'demo-web-write-key',
  app: 'demo-app-write-key',
  'call-centre': 'demo-call-centre-write-key',
  store: 'demo-store-write-key',
  loyalty: 'demo-loyalty-write-key',
  email: 'demo-email-write-key',
  dealer: 'demo-dealer-write-key',
};

async function main(): Promise<void> {
  const population = new DemoPopulation(customers);
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
    for (const { channel, message } of population.next(count)) {
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), message]);
    }
    await Promise.all(
      [...byChannel.entries()].map(async ([channel, batch]) => {
        try {
          const response = await fetch(`${url}/v1/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKeys[channel]}:`).toString('base64')}` },
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
