import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';

export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

/**
 * Collects the readiness checks of the dependencies a service uses (Kafka, MongoDB, Redis...).
 * Each infrastructure module registers its own check, so readiness reflects what is wired.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly indicators: HealthIndicatorService) {}

  /** Registers `probe` under `key`; the probe throws or returns false when the dependency is unusable. */
  register(key: string, probe: () => Promise<boolean | Record<string, unknown>>): void {
    this.checks.set(key, async () => {
      const session = this.indicators.check(key);
      try {
        const result = await withTimeout(probe(), 3000, `${key} did not answer within 3000 ms`);
        if (result === false) return session.down({ message: `${key} is not ready` });
        return session.up(typeof result === 'object' ? result : {});
      } catch (error) {
        return session.down({ message: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  all(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry, TerminusModule],
})
export class HealthModule {}
