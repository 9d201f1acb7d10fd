import { isAllowedPlatformCall } from './platform-proxy';

describe('the console passes through only the routes its screens use', () => {
  it('allows the marketing and operations routes', () => {
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'POST', '/v1/segments/preview')).toBe(true);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments/vip/members')).toBe(true);
    expect(isAllowedPlatformCall('identity', 'POST', '/v1/review/r-1/accept')).toBe(true);
    expect(isAllowedPlatformCall('value', 'GET', '/v1/reports/value')).toBe(true);
  });

  it('refuses other services, methods and paths (no traversal, no admin routes)', () => {
    expect(isAllowedPlatformCall('identity', 'POST', '/v1/customers/c/split')).toBe(false);
    expect(isAllowedPlatformCall('campaign', 'DELETE', '/v1/campaigns/x')).toBe(false);
    expect(isAllowedPlatformCall('campaign', 'GET', '/v1/segments/../admin')).toBe(false);
    expect(isAllowedPlatformCall('ingestion', 'GET', '/admin/v1/sources')).toBe(false);
    expect(isAllowedPlatformCall('mongo', 'GET', '/v1/segments')).toBe(false);
  });
});
