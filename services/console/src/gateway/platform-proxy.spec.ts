import { isAllowedPlatformCall } from './platform-proxy';

describe('the console passes through only the routes its screens use', () => {
  it('allows the marketing and operations routes', () => {
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'POST', '/v1/segments/preview')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments/vip/members')).toBe(true);
    expect(isAllowedPlatformCall('identity', 'POST', '/v1/review/r-1/accept')).toBe(true);
    expect(isAllowedPlatformCall('value', 'GET', '/v1/reports/value')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments/vip/flow')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/reports/value-by-stage')).toBe(true);
    expect(isAllowedPlatformCall('value', 'POST', '/v1/models/refit')).toBe(true);
    expect(isAllowedPlatformCall('value', 'GET', '/v1/models/jobs/0d6c-1')).toBe(true);
    for (const service of ['ingestion', 'identity', 'value', 'needs', 'campaign']) {
      expect(isAllowedPlatformCall(service, 'GET', '/admin/v1/dead-letters')).toBe(true);
      expect(isAllowedPlatformCall(service, 'GET', '/admin/v1/dead-letters/2/1041')).toBe(true);
      expect(isAllowedPlatformCall(service, 'POST', '/admin/v1/dead-letters/redrive')).toBe(true);
      expect(isAllowedPlatformCall(service, 'POST', '/admin/v1/dead-letters/discard')).toBe(true);
    }
  });

  it('refuses other services, methods and paths (no traversal, no admin routes)', () => {
    expect(isAllowedPlatformCall('identity', 'POST', '/v1/customers/c/split')).toBe(false);
    expect(isAllowedPlatformCall('campaign', 'DELETE', '/v1/campaigns/x')).toBe(false);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments/../admin')).toBe(false);
    expect(isAllowedPlatformCall('ingestion', 'GET', '/admin/v1/sources')).toBe(false);
    expect(isAllowedPlatformCall('mongo', 'GET', '/v1/segments')).toBe(false);
    expect(isAllowedPlatformCall('ingestion', 'GET', '/admin/v1/api-keys')).toBe(false);
    expect(isAllowedPlatformCall('value', 'DELETE', '/admin/v1/dead-letters/1/2')).toBe(false);
    expect(isAllowedPlatformCall('value', 'GET', '/admin/v1/dead-letters/x/../../api-keys')).toBe(false);
    expect(isAllowedPlatformCall('value', 'POST', '/v1/models/delete')).toBe(false);
    // Privacy requests go through the console's own routes (it keeps their list), not the pass-through.
    expect(isAllowedPlatformCall('identity', 'POST', '/v1/privacy/customers/email/a@b.c/erasure')).toBe(false);
  });
});
