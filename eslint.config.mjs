// Lint rules that carry architecture: @nx/enforce-module-boundaries makes the tags in each
// project.json binding, so a service can never import another service, and contracts stay
// free of framework code.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const sharedOnly = (scope) => ({
  sourceTag: `scope:${scope}`,
  onlyDependOnLibsWithTags: ['scope:shared', `scope:${scope}`],
});

// The libs form layers: core (contracts, config, observability, random) needs nothing outside
// itself; infra (kafka, mongo, redis) builds on core; runtime (runtime, auth) assembles a service
// from both; testing sits on top. A lib may import its own layer or a lower one, never a higher.
const layerOrder = ['layer:core', 'layer:infra', 'layer:runtime', 'layer:testing'];
const layered = (allowTesting) =>
  layerOrder.map((layer, i) => ({
    sourceTag: layer,
    onlyDependOnLibsWithTags: [...layerOrder.slice(0, i + 1), ...(allowTesting ? ['layer:testing'] : [])],
  }));

const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization', 'console'];

// In test files (and only there) services and libs may use libs/testing.
const boundaries = (allowTestingFromServices) => ({
  enforceBuildableLibDependency: false,
  allow: [],
  banTransitiveDependencies: false,
  depConstraints: [
    ...services.map(sharedOnly),
    ...layered(allowTestingFromServices),
    {
      sourceTag: 'type:service',
      onlyDependOnLibsWithTags: allowTestingFromServices ? ['type:lib', 'type:contracts', 'type:testing'] : ['type:lib', 'type:contracts'],
    },
    {
      sourceTag: 'type:lib',
      onlyDependOnLibsWithTags: allowTestingFromServices ? ['type:lib', 'type:contracts', 'type:testing'] : ['type:lib', 'type:contracts'],
    },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
    // Benchmarks and other tools drive the built services; nothing imports them.
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
    {
      sourceTag: 'type:contracts',
      onlyDependOnLibsWithTags: [],
      bannedExternalImports: ['@nestjs/*', 'mongoose', 'kafkajs', 'ioredis', 'pino', '@opentelemetry/*'],
    },
  ],
});

const deepImports = { group: ['@o2o/*/*'], message: 'Import a lib only through its index (no deep imports).' };

// Inside a service the layers point inwards: interface -> application -> domain, with
// infrastructure implementing ports the application declares. Relative imports are matched by
// folder name, so `../../other-capability/infrastructure/x` is caught as well as `../infrastructure`.
const layerFolder = (names) => `^\\.{1,2}/(.*/)?(${names.join('|')})(/.*)?$`;
const domainLayer = {
  files: ['services/*/src/**/domain/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImports,
          {
            regex: layerFolder(['application', 'infrastructure', 'interface']),
            message:
              'The domain layer imports no application, infrastructure or interface code; declare a port or move the code into domain.',
          },
          {
            group: [
              '@nestjs/*',
              'mongoose',
              'kafkajs',
              'ioredis',
              '@o2o/kafka',
              '@o2o/mongo',
              '@o2o/redis',
              '@o2o/runtime',
              '@o2o/auth',
              '@o2o/observability',
            ],
            message: 'The domain layer is plain TypeScript: no framework, database, broker or runtime imports.',
          },
        ],
      },
    ],
  },
};
const applicationLayer = {
  files: ['services/*/src/**/application/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImports,
          {
            regex: layerFolder(['interface']),
            message:
              'The application layer imports no interface code (controllers, consumers, DTOs); move shared types into application or domain.',
          },
          {
            regex: layerFolder(['infrastructure']),
            message:
              'The application layer imports no infrastructure code: declare a port in application (an abstract class, bound to its implementation in the module) and let infrastructure implement it.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local-servers/**', '.nx/**', 'coverage/**', 'deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through the config module (src/config or libs/config), never process.env directly.',
        },
      ],
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  domainLayer,
  applicationLayer,
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // The only places allowed to read the environment: config loaders, the test bootstrap and CLIs.
    files: ['**/src/config/**/*.ts', 'libs/config/src/**/*.ts', 'libs/testing/src/**/*.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
