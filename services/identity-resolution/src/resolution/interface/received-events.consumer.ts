import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch, KafkaBatchContext } from '@o2o/kafka';
import { asSegmentEvent, ResolveEventsHandler } from '../application/resolve-events/resolve-events.handler';
import { extractIdentifiers } from '../../matching/domain';
import { LateEventFilter } from '../../privacy/application/late-event.filter';
import { IdentityRulesProvider } from '../infrastructure/identity-rules.provider';

@Controller()
export class ReceivedEventsConsumer {
  constructor(
    private readonly resolve: ResolveEventsHandler,
    private readonly lateEvents: LateEventFilter,
    private readonly rules: IdentityRulesProvider,
  ) {}

  @BatchHandler(topics.ingestEvents)
  async onReceived(@Payload() batch: EventBatch<'ingestEvents'>, @Ctx() ctx: KafkaBatchContext): Promise<void> {
    const received = batch.messages.flatMap((m) =>
      m.kind === 'event' ? [{ event: m.event, trace: m.trace, partition: m.partition, offset: m.offset }] : [],
    );
    // Events for identifiers of erased customers meet the late-event policy before anything is
    // stored: dropped (counted), or kept minimal — stripped of every identifier and trait, so
    // they resolve to nobody and only their existence is known.
    const decisions = await this.lateEvents.decide(
      received.map((r) => ({ identifiers: extractIdentifiers(asSegmentEvent(r.event), this.rules.current()).identifiers })),
    );
    const events = received.flatMap((r, i) => {
      const decision = decisions[i];
      if (decision === 'drop') return [];
      if (decision === 'anonymise') {
        const { userId: _userId, traits: _traits, context: _context, previousId: _previousId, ...rest } = r.event.data;
        return [{ ...r, event: { ...r.event, subject: `erased:${r.event.id}`, data: { ...rest, anonymousId: `erased-${r.event.id}` } } }];
      }
      return [r];
    });
    const unresolvable = await this.resolve.execute(events);
    // Never silently dropped: an event without one usable identifier goes to the dead-letter topic.
    for (const item of unresolvable) ctx.reject(item, 'unresolvable', item.reason);
  }
}
