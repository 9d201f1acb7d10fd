import * as path from 'node:path';
import { stringify } from 'yaml';
import { asyncApiRegenerateCommand, buildAsyncApiDocument, type AsyncApiDocument } from '@o2o/contracts';

/** docs/asyncapi.yaml of the repository (the same from src/ under jest and from dist/). */
export const asyncApiYamlPath = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml');

/**
 * The committed form of the AsyncAPI document: YAML with descriptions as literal blocks, no
 * anchors or aliases (shared objects are written out), and a header saying how it is made.
 */
export function renderAsyncApiYaml(document: AsyncApiDocument = buildAsyncApiDocument()): string {
  const header = `# Generated from libs/contracts (topics.ts) by \`${asyncApiRegenerateCommand}\`. Do not edit: change the contracts and regenerate.\n`;
  return header + stringify(document, { aliasDuplicateObjects: false, blockQuote: 'literal', lineWidth: 0 });
}
