import { Module } from '@nestjs/common';
import { AuthController } from './session/auth.controller';
import { OidcLogin } from './session/oidc-login';
import { SessionGuard } from './session/session.guard';
import { SessionStore } from './session/session.store';
import { ConsumerLag } from './gateway/consumer-lag';
import { CustomerController } from './gateway/customer.controller';
import { PlatformClient } from './gateway/platform.client';
import { PlatformController } from './gateway/platform.controller';
import { LiveController } from './live/live.controller';
import { LiveEventsConsumer } from './live/live-events.consumer';
import { LiveHub } from './live/live-hub';
import { TimelineStore } from './live/timeline.store';
import { OperationsHistoryStore } from './operations/operations-history';
import { PrivacyRequestsController } from './privacy/privacy-requests.controller';
import { WebController } from './web/web.controller';

@Module({
  controllers: [
    AuthController,
    CustomerController,
    PlatformController,
    PrivacyRequestsController,
    LiveController,
    LiveEventsConsumer,
    WebController,
  ],
  providers: [ConsumerLag, OidcLogin, SessionStore, SessionGuard, PlatformClient, LiveHub, TimelineStore, OperationsHistoryStore],
  exports: [TimelineStore],
})
export class ConsoleModule {}
