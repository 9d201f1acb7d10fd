import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4's request queue, as patched by patches/kafkajs+2.2.4.patch (patch-package, run by
 * npm's postinstall): an idle connection schedules no timer. Unpatched, every connection ran a
 * 1 ms setTimeout loop for its whole life (tulios/kafkajs#1556), ~0.06 cores per idle service.
 */
interface Entry {
  correlationId: number;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
interface RequestQueue {
  throttledUntil: number;
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void; requestTimeout?: number }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
}
type RequestQueueConstructor = new (options: {
  maxInFlightRequests: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: { debug: () => void; warn: () => void; error: () => void; info: () => void };
}) => RequestQueue;

const RequestQueueClass = createRequire(__filename)('kafkajs/src/network/requestQueue') as RequestQueueConstructor;
const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined };

describe('kafkajs request queue (patched: no timer loop when idle)', () => {
  let queue: RequestQueue;
  const sent: number[] = [];
  const resolved: number[] = [];
  const push = (correlationId: number): void =>
    queue.push({
      entry: {
        correlationId,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => void resolved.push(correlationId),
        reject: () => undefined,
      },
      expectResponse: true,
      sendRequest: () => void sent.push(correlationId),
    });
  const fulfil = (correlationId: number): void => queue.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });

  beforeEach(() => {
    jest.useFakeTimers();
    sent.length = 0;
    resolved.length = 0;
    queue = new RequestQueueClass({
      maxInFlightRequests: 1,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'spec',
      broker: '127.0.0.1:1',
      logger: silent,
    });
  });

  afterEach(() => {
    queue.destroy();
    jest.useRealTimers();
  });

  it('leaves no timer behind once every request is answered', () => {
    push(1);
    fulfil(1);
    jest.runOnlyPendingTimers();
    expect(sent).toEqual([1]);
    expect(resolved).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still sends a request held back by the in-flight limit, as soon as the one before is answered', () => {
    push(1);
    push(2);
    expect(sent).toEqual([1]);
    fulfil(1);
    expect(sent).toEqual([1, 2]);
    fulfil(2);
    jest.runOnlyPendingTimers();
    expect(resolved).toEqual([1, 2]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still sends a request held back by broker throttling once the throttle ends', () => {
    queue.throttledUntil = Date.now() + 500;
    push(1);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(499);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(20);
    expect(sent).toEqual([1]);
    fulfil(1);
    jest.runOnlyPendingTimers();
    expect(jest.getTimerCount()).toBe(0);
  });
});
