import { startService } from '@o2o/runtime';
import { describeRouteAccess, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { ingestionService } from '../src/ingestion.service';

/** Generated from the running service's routes: every route of ingestion refuses callers without its credential and is in its OpenAPI document. */
describeRouteAccess('ingestion', {
  config: () => loadIngestionConfig(testEnvironment(uniqueId(), 'ingestion', { INGESTION_DEMO_SOURCES: 'true' })),
  start: (config) => startService(ingestionService, config, 0),
  openRoutes: ['GET /openapi.json'],
  ownCredentials: { 'segment-write-key': { authorization: `Basic ${Buffer.from('demo-web-write-key:').toString('base64')}` } },
  params: { type: 'track' },
});
