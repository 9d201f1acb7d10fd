import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  it('runs one at a time: a second run joins the one in flight, and stop waits for it', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    const job = new PeriodicJob(
      () =>
        new Promise<number>((resolve) => {
          runs += 1;
          release = () => resolve(runs);
        }),
      () => undefined,
    );
    const first = job.run();
    const second = job.run();
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    await stopping;
    expect(stopped).toBe(true);
    const third = job.run();
    release();
    expect(await third).toBe(2);
  });

  it('reports a failed run and answers undefined, then runs again', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const job = new PeriodicJob(
      async () => {
        if (fail) throw new Error('boom');
        return 'ok';
      },
      (error) => errors.push(error),
    );
    expect(await job.run()).toBeUndefined();
    expect(errors).toEqual([new Error('boom')]);
    fail = false;
    expect(await job.run()).toBe('ok');
  });

  it('runs on its interval once started, and not after stop', async () => {
    jest.useFakeTimers();
    try {
      let runs = 0;
      const job = new PeriodicJob(
        async () => (runs += 1),
        () => undefined,
      );
      job.start(1000);
      await jest.advanceTimersByTimeAsync(3500);
      expect(runs).toBe(3);
      await job.stop();
      await jest.advanceTimersByTimeAsync(3000);
      expect(runs).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
