// Integration tests: *.int-spec.ts under each project's test/ folder, against real Kafka,
// MongoDB-compatible and Redis servers chosen by libs/testing's global setup.
const preset = require('./jest.preset');

module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/services'],
  testMatch: ['**/*.int-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/infrastructure/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/infrastructure/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 1,
};
