// Shared jest settings: SWC transpiles TypeScript (with decorator metadata for NestJS), and
// workspace libs resolve to their sources so tests never depend on a prior build.
const path = require('node:path');

process.env.TZ = 'UTC';

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$|/node_modules/(jose|kubernetes-models|@kubernetes-models/[a-z-]+|is-cidr|cidr-regex|@seriousme/openapi-schema-validator)/.+\\.js$':
      [
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
  // jose (token checks) and kubernetes-models (the chart's schemas, libs/deploy; with is-cidr and
  // cidr-regex, which its validator uses) and @seriousme/openapi-schema-validator (the OpenAPI 3.1
  // schema check of the services' documents) ship ES modules only; jest's CommonJS runtime needs them transpiled too.
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|kubernetes-models|@kubernetes-models/[a-z-]+|is-cidr|cidr-regex|@seriousme/openapi-schema-validator)/)',
  ],
  resolver: path.join(__dirname, 'jest.resolver.js'),
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@o2o/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.local-servers/', '/dist/'],
};
