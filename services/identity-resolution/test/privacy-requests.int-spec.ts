import { RunningService, startService } from '@o2o/runtime';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { PrivacyRepository } from '../src/privacy/infrastructure/privacy.repository';

/** Export parts live only until the export is served; one that comes later is not stored at all. */
describe('privacy requests: export parts (real MongoDB)', () => {
  const run = uniqueId();
  let service: RunningService;

  beforeAll(async () => {
    service = await startService(identityResolutionService, loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution')), 0);
  }, 120000);

  afterAll(async () => {
    await service?.app.close();
  });

  it('keeps parts until served and discards a part that arrives after, still recording its answer', async () => {
    const requests = service.app.get(PrivacyRepository);
    const requestId = uniqueId('export-');
    await requests.create({ _id: requestId, kind: 'export', customerId: 'cus_x', customerPseudonym: 'p', expectedServices: ['value-scoring', 'needs-profiling'], requestedAt: new Date() });
    await requests.answer(requestId, 'value-scoring', { at: new Date().toISOString() }, { purchases: 3 });
    expect((await requests.get(requestId))?.parts).toEqual({ 'value-scoring': { purchases: 3 } });

    await requests.dropParts(requestId);
    await requests.answer(requestId, 'needs-profiling', { at: new Date().toISOString() }, { stage: 'loyalty', facts: ['late'] });
    const after = await requests.get(requestId);
    expect(after?.parts).toEqual({});
    expect(after?.customerId).toBeUndefined();
    expect(Object.keys(after?.acknowledgements ?? {}).sort()).toEqual(['needs-profiling', 'value-scoring']);
    expect(after?.status).toBe('completed');
  }, 60000);
});
