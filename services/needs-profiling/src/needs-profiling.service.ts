import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { NeedsProfilingConfig } from './config/needs-profiling.config';
import { NEEDS_CONFIG } from './needs.tokens';
import { needsPrivacy } from './privacy/infrastructure/needs-privacy.participant';
import { NEEDS_ERRORS } from './profiling/interface/http-errors';
import { ProfilingModule } from './profiling/profiling.module';
import { NEEDS_API } from './profiling/interface/needs.openapi';

export const needsProfilingService: ServiceDefinition<NeedsProfilingConfig> = {
  name: 'needs-profiling',
  topics: [topics.identityEvents, topics.identityChanges, topics.campaignOutcomes, topics.valueScores, topics.needsProfiles],
  configToken: NEEDS_CONFIG,
  imports: () => [ProfilingModule],
  privacy: needsPrivacy,
  errors: { rules: NEEDS_ERRORS },
  api: () => NEEDS_API,
};
