import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/*
 * The feature folders of a service's src (segments, profiles, models, valuation...) and which of
 * them each one's files import, for the specs that keep those folders free of cycles.
 */

/** Top-level folder (or root file) of a path relative to src. */
function topOf(path: string): string {
  return (path.split(sep)[0] ?? path).replace(/\.ts$/, '');
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Folder -> folders its files import by relative path (specs included). */
export function folderGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(root)) {
    const from = relative(root, file);
    for (const match of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']*)'/g)) {
      const specifier = match[1];
      if (specifier === undefined) continue;
      const target = normalize(join(dirname(from), specifier));
      const a = topOf(from);
      const b = topOf(target);
      if (a === b) continue;
      const edges = graph.get(a) ?? new Set<string>();
      edges.add(b);
      graph.set(a, edges);
    }
  }
  return graph;
}

/** One folder path that leads back to itself, if any. */
export function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle !== undefined) return cycle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
