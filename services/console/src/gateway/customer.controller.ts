import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { HttpProblem, problem, zodIssues } from '@o2o/runtime';
import { z } from 'zod';
import { OwnCredential } from '@o2o/auth';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import { TimelineStore } from '../live/timeline.store';
import { RequestWithSession, SessionGuard, sessionOf } from '../session/session.guard';
import type { ConsoleSession } from '../session/session.store';
import { PlatformClient } from './platform.client';

interface Identifier {
  type: string;
  value: string;
  [key: string]: unknown;
}
interface Lookup {
  customerId: string;
  identifiers: Identifier[];
}

export const answerSchema = z.strictObject({
  questionId: z.string().min(1).max(100),
  purpose: z.string().min(1).max(100),
  answer: z.union([z.string().min(1).max(200), z.number().finite(), z.boolean()]),
});
export const outcomeSchema = z.strictObject({
  outcome: z.enum(['accepted', 'declined']),
  campaignId: z.string().min(1).max(200),
  decisionId: z.string().min(1).max(200).optional(),
  offer: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The customer screen: one call gathers what the five services know about the customer of an
 * identifier; answers and offer outcomes go in as events through ingestion, like any channel's.
 */
@OwnCredential('console-session')
@UseGuards(SessionGuard)
@Controller('api/customers')
export class CustomerController {
  constructor(
    private readonly platform: PlatformClient,
    private readonly timeline: TimelineStore,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get('lookup')
  async lookup(@Req() request: RequestWithSession, @Query('type') type: string | undefined, @Query('value') value: string | undefined) {
    if (!type || !value) throw problem(400, 'invalid_lookup', 'give an identifier type and value');
    const session = sessionOf(request);
    const found = await this.platform.call<Lookup>(
      session,
      'identity',
      `/v1/identities/${encodeURIComponent(type)}/${encodeURIComponent(value)}`,
    );
    if (found.status === 404) throw problem(404, 'not_found', `no customer has the ${type} ${value}`);
    if (found.status !== 200)
      return this.platform.get(session, 'identity', `/v1/identities/${encodeURIComponent(type)}/${encodeURIComponent(value)}`);
    await this.timeline.rememberIdentifiers(found.body.customerId, found.body.identifiers);
    return this.profile(session, found.body);
  }

  /** The same screen by customer id (after a live update). */
  @Get(':id')
  async byId(@Req() request: RequestWithSession, @Param('id') id: string) {
    const session = sessionOf(request);
    const preferred = await this.anyIdentifier(session, id);
    return this.profile(session, { customerId: id, identifiers: preferred });
  }

  @Post(':id/answers')
  async answer(@Req() request: RequestWithSession, @Param('id') id: string, @Body() body: unknown) {
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) throw new HttpProblem(400, 'invalid_answer', 'the answer is not valid', { issues: zodIssues(parsed.error) });
    const session = sessionOf(request);
    const who = await this.sender(session, id);
    await this.platform.track({
      ...who,
      messageId: randomUUID(),
      event: 'Question Answered',
      properties: { ...parsed.data, recordedBy: session.subject, channel: this.config.CONSOLE_CHANNEL },
    });
    return { success: true };
  }

  /**
   * The agent makes the offer now: campaign-customization decides for this contact (the contact
   * counts against the caps, the decision is published and counts as an exposure for lift), once
   * per request key.
   */
  @Post(':id/decision')
  async decide(@Req() request: RequestWithSession, @Param('id') id: string) {
    const session = sessionOf(request);
    const identifiers = await this.anyIdentifier(session, id);
    const key = identifiers.find((i) => i.type === 'userId') ?? identifiers[0];
    if (!key) throw problem(409, 'no_identifier', 'look the customer up first');
    return this.platform.get(
      session,
      'campaign',
      `/v1/customers/by/${encodeURIComponent(key.type)}/${encodeURIComponent(key.value)}/next-action`,
      {
        method: 'POST',
        body: { channel: this.config.CONSOLE_CHANNEL },
        headers: { 'idempotency-key': randomUUID() },
      },
    );
  }

  @Post(':id/offer-outcomes')
  async outcome(@Req() request: RequestWithSession, @Param('id') id: string, @Body() body: unknown) {
    const parsed = outcomeSchema.safeParse(body);
    if (!parsed.success) throw new HttpProblem(400, 'invalid_outcome', 'the outcome is not valid', { issues: zodIssues(parsed.error) });
    const session = sessionOf(request);
    const who = await this.sender(session, id);
    const { outcome, ...offer } = parsed.data;
    await this.platform.track({
      ...who,
      messageId: randomUUID(),
      event: outcome === 'accepted' ? 'Offer Accepted' : 'Offer Declined',
      properties: { ...offer, recordedBy: session.subject, channel: this.config.CONSOLE_CHANNEL },
    });
    return { success: true };
  }

  private async profile(session: ConsoleSession, found: Lookup) {
    const id = found.customerId;
    const channel = encodeURIComponent(this.config.CONSOLE_CHANNEL);
    const key = found.identifiers.find((i) => i.type === 'userId') ?? found.identifiers[0];
    const [links, value, needs, question, nextAction, contacts, timeline] = await Promise.all([
      this.optional(session, 'identity', `/v1/customers/${encodeURIComponent(id)}/links`),
      this.optional(session, 'value', `/v1/customers/${encodeURIComponent(id)}/value`),
      this.optional(session, 'needs', `/v1/customers/${encodeURIComponent(id)}/needs`),
      this.optional(session, 'needs', `/v1/customers/${encodeURIComponent(id)}/next-question?channel=${channel}`),
      key
        ? this.optional(
            session,
            'campaign',
            `/v1/customers/by/${encodeURIComponent(key.type)}/${encodeURIComponent(key.value)}/next-action?channel=${channel}`,
          )
        : Promise.resolve(null),
      key
        ? this.optional(
            session,
            'campaign',
            `/v1/customers/by/${encodeURIComponent(key.type)}/${encodeURIComponent(key.value)}/contacts?channel=${channel}`,
          )
        : Promise.resolve(null),
      this.timeline.recent(id),
    ]);
    return {
      customerId: id,
      identifiers: found.identifiers,
      links,
      value,
      needs,
      nextQuestion: question,
      nextAction,
      contacts,
      timeline,
      channel: this.config.CONSOLE_CHANNEL,
    };
  }

  /** A service that knows nothing of the customer yet (404) leaves its part empty; any other refusal is passed on. */
  private async optional(session: ConsoleSession, service: 'identity' | 'value' | 'needs' | 'campaign', path: string): Promise<unknown> {
    const answer = await this.platform.call<unknown>(session, service, path);
    if (answer.status === 404) return null;
    if (answer.status === 403) return { forbidden: true };
    if (answer.status >= 400) return { unavailable: true, status: answer.status };
    return answer.body;
  }

  private async anyIdentifier(session: ConsoleSession, customerId: string): Promise<Identifier[]> {
    const identifiers = await this.timeline.identifiersOf(customerId);
    for (const identifier of identifiers) {
      const found = await this.platform.call<Lookup>(
        session,
        'identity',
        `/v1/identities/${encodeURIComponent(identifier.type)}/${encodeURIComponent(identifier.value)}`,
      );
      if (found.status === 200) return found.body.identifiers;
    }
    throw problem(404, 'not_found', `look customer ${customerId} up by an identifier first`);
  }

  /** Events need the customer's userId (or device id) so identity resolution files them under the same customer. */
  private async sender(session: ConsoleSession, customerId: string): Promise<{ userId: string } | { anonymousId: string }> {
    const identifiers = await this.anyIdentifier(session, customerId);
    const userId = identifiers.find((i) => i.type === 'userId')?.value;
    if (userId) return { userId };
    const anonymousId = identifiers.find((i) => i.type === 'anonymousId')?.value;
    if (anonymousId) return { anonymousId };
    throw problem(409, 'no_event_identifier', 'this customer has no userId or device id to send events with');
  }
}
