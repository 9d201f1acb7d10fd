import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { ValueScoringConfig } from './config/value-scoring.config';
import { valuePrivacy } from './privacy/infrastructure/value-privacy.participant';
import { ValueScoringModule } from './value-scoring.module';
import { VALUE_CONFIG } from './value.tokens';
import { VALUE_API } from './value-queries/interface/value-api.openapi';

export const valueScoringService: ServiceDefinition<ValueScoringConfig> = {
  name: 'value-scoring',
  topics: [topics.identityEvents, topics.identityChanges, topics.needsProfiles, topics.valueScores],
  // identity.events and needs.profiles both feed SummaryUpdater, which combines concurrent calls.
  concurrentTopics: true,
  // A kill between publishing a batch's value states and committing its offsets published them
  // again on restart: the calls of a fetch and their offsets commit in one Kafka transaction.
  exactlyOnce: true,
  configToken: VALUE_CONFIG,
  imports: () => [ValueScoringModule],
  privacy: valuePrivacy,
  api: () => VALUE_API,
};
