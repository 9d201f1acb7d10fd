import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { RequireScope, SCOPES, type RequestWithPrincipal } from '@o2o/auth';
import { slugSchema } from '../../shared-kernel/domain/consent';
import { HttpProblem, invalid, notFound, parseBody, problem } from '../../shared/interface/http-problem';
import { SharedIdentifierError } from '../../campaigns/domain/shared-identifier.error';
import {
  CustomerChangingError,
  DecideNextActionHandler,
  UnknownCustomerError,
  type NextActionAnswer,
  type NextActionMode,
} from '../application/decide-next-action/decide-next-action.handler';
import { DecisionNotStoredError } from '../application/ports';
import { DecisionRequestStore } from '../infrastructure/decision-request.store';
import { ReadContactsQuery, type ContactsAnswer } from '../application/read-contacts/read-contacts.query';

export const decisionBody = z.strictObject({ channel: slugSchema });
/** RFC draft Idempotency-Key: one key per decision the caller means to make. */
export const requestKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,200}$/, '8-200 letters, digits, . _ : -');

/**
 * For the call-centre screen and the store clerk: who this is, and what to say or offer now.
 * GET previews (no contact reserved, nothing published); POST decides, reserving the contact and
 * publishing the decision, once per Idempotency-Key.
 */
@Controller('v1/customers/by')
export class NextActionController {
  constructor(
    private readonly decide: DecideNextActionHandler,
    private readonly requests: DecisionRequestStore,
    private readonly contacts: ReadContactsQuery,
  ) {}

  /** Contacts made (a day, a week, thirty days; the latest ones) and, per reachable campaign, the caps left on this channel. Reserves nothing. */
  @RequireScope(SCOPES.profilesRead)
  @Get(':type/:value/contacts')
  async contactsMade(
    @Param('type') type: string,
    @Param('value') value: string,
    @Query('channel') channel?: string,
  ): Promise<ContactsAnswer> {
    const parsed = slugSchema.safeParse(channel);
    if (!parsed.success)
      throw invalid([
        {
          field: 'channel',
          message: channel === undefined ? 'the channel of the contact is required' : (parsed.error.issues[0]?.message ?? 'invalid'),
        },
      ]);
    try {
      return await this.contacts.execute({ type, value, channel: parsed.data });
    } catch (error) {
      if (error instanceof UnknownCustomerError) throw notFound(error.message);
      if (error instanceof SharedIdentifierError) throw sharedIdentifier(error);
      throw error;
    }
  }

  /** What would be offered now; changes nothing (contact caps, decisions, attribution). */
  @RequireScope(SCOPES.profilesRead)
  @Get(':type/:value/next-action')
  async preview(@Param('type') type: string, @Param('value') value: string, @Query('channel') channel?: string): Promise<NextActionAnswer> {
    const parsed = slugSchema.safeParse(channel);
    if (!parsed.success)
      throw invalid([
        {
          field: 'channel',
          message: channel === undefined ? 'the channel of the contact is required' : (parsed.error.issues[0]?.message ?? 'invalid'),
        },
      ]);
    return this.run({ type, value, channel: parsed.data }, { kind: 'preview' });
  }

  /**
   * Decides the next action for this contact: reserves it under the caps and publishes the decision.
   * A retry with the same Idempotency-Key answers the same decision and reserves nothing again.
   */
  @RequireScope(SCOPES.decisionsWrite)
  @Post(':type/:value/next-action')
  @HttpCode(200)
  async decision(
    @Param('type') type: string,
    @Param('value') value: string,
    @Body() body: unknown,
    @Headers('idempotency-key') requestKey: string | undefined,
    @Req() request: RequestWithPrincipal,
  ): Promise<NextActionAnswer> {
    const { channel } = parseBody(decisionBody, body);
    const key = requestKeySchema.safeParse(requestKey);
    if (!key.success)
      throw invalid([
        {
          field: 'headers.idempotency-key',
          message:
            requestKey === undefined
              ? 'a key per decision is required, so a retry does not contact twice'
              : (key.error.issues[0]?.message ?? 'invalid'),
        },
      ]);
    // Keys are per client: two clients never share, or see, each other's decisions.
    const client = request.principal?.client ?? 'anonymous';
    const input = { type, value, channel };
    const fingerprint = DecisionRequestStore.fingerprint(type, value, channel);
    const claim = await this.requests.claim(client, key.data, fingerprint);
    if (claim.kind === 'reused')
      throw problem(422, 'idempotency_key_reused', 'this Idempotency-Key was used for another customer or channel');
    if (claim.kind === 'in-progress')
      throw problem(409, 'request_in_progress', 'a request with this Idempotency-Key is still being decided; retry shortly');
    if (claim.kind === 'done') return this.known(() => this.decide.replay(input, claim.decision));
    try {
      const answer = await this.run(input, { kind: 'decision', decisionId: claim.decisionId });
      await this.requests.remember(client, key.data, {
        state: 'done',
        fingerprint,
        action: answer.action,
        decidedAt: answer.decidedAt,
        ...(answer.decisionId ? { decisionId: answer.decisionId } : {}),
      });
      return answer;
    } catch (error) {
      await this.requests.release(client, key.data);
      throw error;
    }
  }

  private run(input: { type: string; value: string; channel: string }, mode: NextActionMode): Promise<NextActionAnswer> {
    return this.known(() => this.decide.execute(input, mode));
  }

  private async known(work: () => Promise<NextActionAnswer>): Promise<NextActionAnswer> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownCustomerError) throw notFound(error.message);
      if (error instanceof SharedIdentifierError) throw sharedIdentifier(error);
      if (error instanceof CustomerChangingError) throw problem(503, 'customer_changing', error.message);
      if (error instanceof DecisionNotStoredError) throw problem(503, 'decision_not_stored', error.message);
      throw error;
    }
  }
}

/** 409 with the candidates: the caller asks again by one of them (`/v1/customers/by/customerId/{id}/…`). */
function sharedIdentifier(error: SharedIdentifierError): HttpProblem {
  return new HttpProblem(409, 'shared_identifier', error.message, {
    details: { candidates: error.candidates.map((customerId) => ({ customerId })) },
  });
}
