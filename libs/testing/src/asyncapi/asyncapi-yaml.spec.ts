import { Parser } from '@asyncapi/parser';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { asyncApiRegenerateCommand, buildAsyncApiDocument, platformServices, topics, type TopicDefinition } from '@o2o/contracts';
import { asyncApiYamlPath, renderAsyncApiYaml } from './asyncapi-yaml';

const root = path.resolve(__dirname, '..', '..', '..', '..');

describe('docs/asyncapi.yaml', () => {
  it('is what the contracts generate (regenerate and commit it after a contract change)', () => {
    const committed = existsSync(asyncApiYamlPath) ? readFileSync(asyncApiYamlPath, 'utf8') : '';
    const generated = renderAsyncApiYaml();
    const verdict =
      committed === generated
        ? 'up to date'
        : `docs/asyncapi.yaml is out of date with libs/contracts: run \`${asyncApiRegenerateCommand}\` and commit docs/asyncapi.yaml`;
    expect(verdict).toBe('up to date');
  });

  it('reads back as the generated document', () => {
    expect(parse(renderAsyncApiYaml())).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
  });

  it('is a valid AsyncAPI 3.0 document for the official parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(renderAsyncApiYaml());
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints such as "3.1.0 exists".
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document?.version()).toBe('3.0.0');
    const addresses =
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()) ?? [];
    expect(addresses).toEqual([...Object.values(topics).map((t) => t.name), 'dlq.{consumerGroup}.v1']);
    const membership = document?.channels().get('segmentMembership');
    expect(
      membership
        ?.messages()
        .all()
        .map((m) => m.name()),
    ).toEqual(['segment.membership-changed.v1']);
    expect(membership?.messages().all()[0]?.bindings().get('kafka')?.value()).toMatchObject({
      key: { type: 'string', description: 'customerId' },
    });
  }, 60_000);
});

/**
 * The topic map names who produces and consumes each topic; this reads the services' sources to
 * keep that true: a consumer is a @BatchHandler(topics.x), a producer publishes `topic: topics.x`
 * or tombstones. libs/runtime's privacy module runs in every service.
 */
describe('producers and consumers in the topic map', () => {
  function sources(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return sources(full);
      return full.endsWith('.ts') && !full.endsWith('.spec.ts') ? [full] : [];
    });
  }

  function scan(dir: string): { consumes: Set<string>; produces: Set<string> } {
    const consumes = new Set<string>();
    const produces = new Set<string>();
    for (const file of sources(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/@BatchHandler\(topics\.(\w+)\)/g)) if (m[1] !== undefined) consumes.add(m[1]);
      for (const m of text.matchAll(/topic:\s*topics\.(\w+)/g)) if (m[1] !== undefined) produces.add(m[1]);
      for (const m of text.matchAll(/publishTombstones\(topics\.(\w+)/g)) if (m[1] !== undefined) produces.add(m[1]);
    }
    return { consumes, produces };
  }

  it('match what the services consume and publish', () => {
    const runtime = scan(path.join(root, 'libs', 'runtime', 'src'));
    expect(runtime.consumes.size).toBeGreaterThan(0);
    const actual: Record<string, { consumes: string[]; produces: string[] }> = {};
    const declared: Record<string, { consumes: string[]; produces: string[] }> = {};
    for (const service of platformServices) {
      const own = scan(path.join(root, 'services', service, 'src'));
      actual[service] = {
        consumes: [...new Set([...own.consumes, ...runtime.consumes])].sort(),
        produces: [...new Set([...own.produces, ...runtime.produces])].sort(),
      };
      const entries = Object.entries(topics) as Array<[string, TopicDefinition]>;
      declared[service] = {
        consumes: entries
          .filter(([, t]) => (t.consumers ?? []).some((p) => p === service))
          .map(([k]) => k)
          .sort(),
        produces: entries
          .filter(([, t]) => (t.producers ?? []).some((p) => p === service))
          .map(([k]) => k)
          .sort(),
      };
    }
    expect(actual).toEqual(declared);
  });
});
