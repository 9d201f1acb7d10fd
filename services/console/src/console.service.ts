import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { ConsoleConfig } from './config/console.config';
import { ConsolePrivacyParticipant } from './privacy/application/handle-erasure/console-privacy.participant';
import { ConsoleModule } from './console.module';
import { CONSOLE_CONFIG } from './console.tokens';
import { CONSOLE_API } from './console-api.openapi';

export const consoleService: ServiceDefinition<ConsoleConfig> = {
  name: 'console',
  topics: [topics.identityEvents, topics.needsProfiles, topics.valueScores, topics.segmentMembership, topics.campaignDecisions],
  configToken: CONSOLE_CONFIG,
  imports: () => [ConsoleModule],
  privacy: { imports: [ConsoleModule], participant: ConsolePrivacyParticipant },
  api: () => CONSOLE_API,
};
