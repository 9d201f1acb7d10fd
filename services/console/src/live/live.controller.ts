import { Controller, MessageEvent, Param, Req, Sse, UseGuards } from '@nestjs/common';
import { HttpProblem } from '@o2o/runtime';
import { interval, map, merge, Observable } from 'rxjs';
import { OwnCredential } from '@o2o/auth';
import { RequestWithSession, SessionGuard, sessionOf } from '../session/session.guard';
import { LiveHub } from './live-hub';

/** Server-sent events for one open customer screen. */
@OwnCredential('console-session')
@UseGuards(SessionGuard)
@Controller('api/customers')
export class LiveController {
  constructor(private readonly hub: LiveHub) {}

  @Sse(':id/live')
  live(@Req() request: RequestWithSession, @Param('id') id: string): Observable<MessageEvent> {
    // What happens to a customer is for those who may read profiles, as on the services themselves.
    if (!sessionOf(request).scopes.includes('profiles:read'))
      throw new HttpProblem(403, 'forbidden', 'this needs the scope profiles:read', { details: { requiredScope: 'profiles:read' } });
    // A comment-like heartbeat keeps proxies from closing an idle stream.
    const heartbeat = interval(25_000).pipe(map((): MessageEvent => ({ type: 'heartbeat', data: '' })));
    return merge(this.hub.changes(id).pipe(map((change): MessageEvent => ({ type: 'change', data: change }))), heartbeat);
  }
}
