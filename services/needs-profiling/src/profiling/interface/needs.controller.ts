import { Controller, Get, Param, Query } from '@nestjs/common';
import { problem } from '@o2o/runtime';
import { channels, channelSchema } from '@o2o/contracts';
import { ReadNeedsQuery } from '../application/read-needs/read-needs.query';
import { RequireScope, SCOPES } from '@o2o/auth';

@RequireScope(SCOPES.profilesRead)
@Controller('v1/customers')
export class NeedsController {
  constructor(private readonly query: ReadNeedsQuery) {}

  /** Facts, archetypes, stage (reason and guidance) and what is still unknown. */
  @Get(':id/needs')
  async needs(@Param('id') id: string) {
    return this.query.needs(id);
  }

  /**
   * The most valuable question that may be asked now on the channel: its fact unknown or stale,
   * its purpose consented to, not asked within the cooldown, worded for the channel.
   * `question` is null when nothing may be asked.
   */
  @Get(':id/next-question')
  async nextQuestion(@Param('id') id: string, @Query('channel') channel: unknown) {
    const parsed = channel === undefined ? undefined : channelSchema.safeParse(channel);
    if (parsed && !parsed.success) {
      throw problem(400, 'invalid_channel', `channel must be one of ${channels.join(', ')}`);
    }
    return this.query.nextQuestion(id, parsed?.data);
  }
}
