import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { IdentityResolutionConfig } from './config/identity-resolution.config';
import { IDENTITY_CONFIG } from './identity.tokens';
import { ResolutionModule } from './resolution/resolution.module';

export const identityResolutionService: ServiceDefinition<IdentityResolutionConfig> = {
  name: 'identity-resolution',
  topics: [topics.ingestEvents, topics.identityEvents, topics.identityChanges, topics.identitySnapshots],
  configToken: IDENTITY_CONFIG,
  imports: () => [ResolutionModule],
};
