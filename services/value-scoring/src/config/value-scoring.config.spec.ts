import { ConfigError } from '@o2o/config';
import { loadValueScoringConfig } from './value-scoring.config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadValueScoringConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  throw new Error('expected a configuration error');
};

describe('value-scoring config: the cost model defaults', () => {
  it('has documented defaults and reads prices per channel', () => {
    const config = loadValueScoringConfig({});
    expect(config).toMatchObject({
      COST_PER_ORDER: 4,
      COST_PER_RETURN: 12,
      COST_PER_SERVICE_CALL: 8,
      COST_PER_CONTACT_DEFAULT: 0.5,
      COST_PER_CUSTOMER_YEAR: 1,
    });
    expect(config.COST_PER_CONTACT).toMatchObject({ email: 0.05, 'call-centre': 6 });
    expect(config.SERVICE_CALL_EVENTS).toEqual(['Service Call Completed']);
    expect(config.CONTACT_EVENTS).toEqual(['Contact Made']);
    expect(loadValueScoringConfig({ COST_PER_CONTACT: ' sms = 0.1 , mail=1' }).COST_PER_CONTACT).toEqual({ sms: 0.1, mail: 1 });
  });

  it('refuses a negative or malformed price, naming the setting', () => {
    for (const bad of ['email=-1', 'email', 'email=x', '=3', 'email=1=2']) {
      expect(problemsOf({ COST_PER_CONTACT: bad }).join(' ')).toContain('COST_PER_CONTACT');
    }
    expect(problemsOf({ COST_PER_RETURN: '-5' }).join(' ')).toContain('COST_PER_RETURN');
  });
});
