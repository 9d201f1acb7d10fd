import { spawnSync } from 'node:child_process';
import { createProjectGraphAsync } from '@nx/devkit';
import { join } from 'node:path';
import { repoRoot } from './infrastructure/servers';

/**
 * The architecture's hard rules are lint rules; this proves they really fire, on code that
 * would break them, so a misconfigured eslint.config.mjs cannot silently allow it.
 */
describe('module boundaries', () => {
  const root = repoRoot();

  beforeAll(async () => {
    process.env['NX_DAEMON'] = 'false';
    await createProjectGraphAsync({ exitOnError: false });
  }, 120000);

  // ESLint runs as its own process (its flat config is an ES module, which jest's CommonJS
  // sandbox cannot load), exactly as `npm test` runs it.
  const lint = async (file: string, code: string): Promise<string[]> => {
    const result = spawnSync(
      join(root, 'node_modules/.bin/eslint'),
      ['--stdin', '--stdin-filename', join(root, file), '--format', 'json'],
      {
        cwd: root,
        input: code,
        encoding: 'utf8',
        env: { ...process.env, NX_DAEMON: 'false' },
      },
    );
    const reports = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
    return reports.flatMap((r) => r.messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`));
  };

  it('forbids a service importing another service', async () => {
    const messages = await lint(
      'services/ingestion/src/probe.ts',
      "import { identityResolutionService } from '@o2o/identity-resolution';\nexport const x = identityResolutionService;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('forbids reaching into another service by relative path', async () => {
    const messages = await lint(
      'services/ingestion/src/probe.ts',
      "import { x } from '../../value-scoring/src/main';\nexport const y = x;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('keeps frameworks out of contracts', async () => {
    const messages = await lint(
      'libs/contracts/src/probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('forbids reading process.env outside configuration', async () => {
    const messages = await lint('services/ingestion/src/collect/probe.ts', "export const x = process.env['X'];\n");
    expect(messages.some((m) => m.startsWith('no-restricted-syntax'))).toBe(true);
  });

  describe('layers inside a service', () => {
    const rule = (messages: string[]) => messages.filter((m) => m.startsWith('no-restricted-imports'));
    const importing = (modules: string[]) =>
      modules.map((m, i) => `import * as m${i} from '${m}';\nexport const y${i} = m${i};\n`).join('');

    it('forbids a domain file importing application, infrastructure or interface code, by any relative path', async () => {
      const outer = [
        '../application/apply-events/apply-events.handler',
        '../infrastructure/needs-profile.repository',
        '../infrastructure',
        '../../sources/interface/sources.controller',
      ];
      const messages = rule(await lint('services/needs-profiling/src/profiling/domain/probe.ts', importing(outer)));
      expect(messages).toEqual(
        outer.map(() => expect.stringContaining('The domain layer imports no application, infrastructure or interface code')),
      );
    });

    it('forbids a domain file importing a framework, database, broker or runtime lib', async () => {
      const frameworks = ['@nestjs/common', 'mongoose', 'kafkajs', 'ioredis', '@o2o/kafka', '@o2o/mongo', '@o2o/redis', '@o2o/runtime'];
      const messages = rule(await lint('services/ingestion/src/collect/domain/probe.ts', importing(frameworks)));
      expect(messages).toEqual(frameworks.map(() => expect.stringContaining('The domain layer is plain TypeScript')));
    });

    it('lets a domain file import another domain folder, contracts and plain libraries', async () => {
      const code = importing(['../../matching/domain', './rules', '@o2o/contracts', 'zod']);
      expect(await lint('services/identity-resolution/src/resolution/domain/probe.ts', code)).toEqual([]);
    });

    it('forbids an application file importing the interface layer', async () => {
      const messages = rule(
        await lint('services/ingestion/src/collect/application/admit-events/probe.ts', importing(['../../interface/tracking.controller'])),
      );
      expect(messages).toEqual([expect.stringContaining('The application layer imports no interface code')]);
    });

    it('forbids an application file importing infrastructure, by any relative path', async () => {
      const concrete = [
        '../../infrastructure/needs-profile.repository',
        '../infrastructure',
        '../../../privacy/infrastructure/needs-privacy.participant',
      ];
      const messages = rule(await lint('services/needs-profiling/src/profiling/application/apply-events/probe.ts', importing(concrete)));
      expect(messages).toEqual(concrete.map(() => expect.stringContaining('The application layer imports no infrastructure code')));
    });

    it('lets an application file import ports, domain, other application code and libs, but still no deep lib import', async () => {
      const code = importing(['../ports', '../../domain/needs', '../profiling.metrics', '@o2o/kafka', '@o2o/contracts/src/topics']);
      const messages = await lint('services/needs-profiling/src/profiling/application/apply-events/probe.ts', code);
      expect(messages).toEqual([expect.stringContaining('no deep imports')]);
    });
  });

  describe('lib layers', () => {
    const boundary = (messages: string[]) => messages.filter((m) => m.startsWith('@nx/enforce-module-boundaries'));
    const importing = (module: string) => `import * as m from '${module}';\nexport const y = m;\n`;

    // Pairs the higher lib does not already import back, so the finding is the layer rule and
    // not the circular-dependency check.
    it.each([
      ['core', 'libs/random/src/probe.ts', '@o2o/kafka'],
      ['core', 'libs/observability/src/probe.ts', '@o2o/auth'],
      ['infra', 'libs/mongo/src/probe.ts', '@o2o/auth'],
      ['runtime', 'libs/runtime/src/probe.ts', '@o2o/testing'],
    ])('forbids a %s lib (%s) importing a higher layer (%s)', async (layer, file, module) => {
      const messages = boundary(await lint(file, importing(module)));
      expect(messages).toEqual([expect.stringContaining(`tagged with "layer:${layer}" can only depend on libs tagged with`)]);
    });

    it.each([
      ['libs/observability/src/probe.ts', '@o2o/config'],
      ['libs/kafka/src/probe.ts', '@o2o/observability'],
      ['libs/runtime/src/probe.ts', '@o2o/redis'],
    ])('lets %s import the same or a lower layer (%s)', async (file, module) => {
      expect(boundary(await lint(file, importing(module)))).toEqual([]);
    });

    it('lets a lib test use libs/testing', async () => {
      expect(boundary(await lint('libs/kafka/src/probe.spec.ts', importing('@o2o/testing')))).toEqual([]);
    });
  });

  it('allows a service to use shared libs', async () => {
    const messages = await lint('services/ingestion/src/probe.ts', "import { topics } from '@o2o/contracts';\nexport const x = topics;\n");
    expect(messages).toEqual([]);
  });
});
