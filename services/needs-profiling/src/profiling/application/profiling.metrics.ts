import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { PlatformMetrics } from '@o2o/observability';

@Injectable()
export class ProfilingMetrics {
  readonly skipped: Counter<'reason'>;
  readonly published: Counter<'cause'>;
  readonly tombstones: Counter<string>;
  readonly writeConflicts: Counter<'operation'>;
  readonly transitions: Counter<'to' | 'cause'>;
  readonly sweeps: Counter<'outcome'>;

  constructor(platform: PlatformMetrics) {
    const registers = [platform.registry];
    this.skipped = new Counter({
      name: 'o2o_needs_inputs_skipped_total',
      help: 'Parts of events the profile could not use (no purpose, unmapped trait, answer that does not fit...), by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.published = new Counter({
      name: 'o2o_needs_profiles_published_total',
      help: 'Profiles published on needs.profiles after a material change, by cause.',
      labelNames: ['cause'],
      registers,
    });
    this.tombstones = new Counter({
      name: 'o2o_needs_tombstones_published_total',
      help: 'Tombstones published for customers merged away.',
      registers,
    });
    this.writeConflicts = new Counter({
      name: 'o2o_needs_write_conflicts_total',
      help: 'Profile writes that lost an optimistic-concurrency race and were re-applied.',
      labelNames: ['operation'],
      registers,
    });
    this.transitions = new Counter({
      name: 'o2o_needs_stage_transitions_total',
      help: 'Relationship stage transitions stored, by target stage and cause.',
      labelNames: ['to', 'cause'],
      registers,
    });
    this.sweeps = new Counter({
      name: 'o2o_needs_stage_sweeps_total',
      help: 'Stage sweep runs, by outcome (swept, lock-held, failed).',
      labelNames: ['outcome'],
      registers,
    });
  }
}
