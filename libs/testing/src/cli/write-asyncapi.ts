import { readFileSync, writeFileSync } from 'node:fs';
import { asyncApiRegenerateCommand } from '@o2o/contracts';
import { asyncApiYamlPath, renderAsyncApiYaml } from '../asyncapi/asyncapi-yaml';

/**
 * Writes docs/asyncapi.yaml from the contracts (`npm run asyncapi`).
 *   --check   write nothing; exit 1 when the committed file differs from the contracts
 */
function main(): void {
  const generated = renderAsyncApiYaml();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(asyncApiYamlPath, 'utf8');
    } catch {
      // A missing file is simply out of date.
    }
    if (committed !== generated) {
      process.stderr.write(`${asyncApiYamlPath} is out of date with libs/contracts: run \`${asyncApiRegenerateCommand}\` and commit it.\n`);
      process.exit(1);
    }
    process.stdout.write(`${asyncApiYamlPath} is up to date.\n`);
    return;
  }
  writeFileSync(asyncApiYamlPath, generated);
  process.stdout.write(`wrote ${asyncApiYamlPath}\n`);
}

main();
