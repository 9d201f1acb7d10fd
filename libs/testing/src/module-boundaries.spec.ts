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
    const result = spawnSync(join(root, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', join(root, file), '--format', 'json'], {
      cwd: root,
      input: code,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    const reports = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
    return reports.flatMap((r) => r.messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`));
  };

  it('forbids a service importing another service', async () => {
    const messages = await lint('services/ingestion/src/probe.ts', "import { identityResolutionService } from '@o2o/identity-resolution';\nexport const x = identityResolutionService;\n");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('forbids reaching into another service by relative path', async () => {
    const messages = await lint('services/ingestion/src/probe.ts', "import { x } from '../../value-scoring/src/main';\nexport const y = x;\n");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('keeps frameworks out of contracts', async () => {
    const messages = await lint('libs/contracts/src/probe.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('forbids reading process.env outside configuration', async () => {
    const messages = await lint('services/ingestion/src/collect/probe.ts', "export const x = process.env['X'];\n");
    expect(messages.some((m) => m.startsWith('no-restricted-syntax'))).toBe(true);
  });

  it('allows a service to use shared libs', async () => {
    const messages = await lint('services/ingestion/src/probe.ts', "import { topics } from '@o2o/contracts';\nexport const x = topics;\n");
    expect(messages).toEqual([]);
  });
});
