// Shared jest settings: SWC transpiles TypeScript (with decorator metadata for NestJS), and
// workspace libs resolve to their sources so tests never depend on a prior build.
const path = require('node:path');

process.env.TZ = 'UTC';

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$|/node_modules/jose/.+\\.js$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // jose (token checks) ships ES modules only; jest's CommonJS runtime needs it transpiled too.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@o2o/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.local-servers/', '/dist/'],
};
