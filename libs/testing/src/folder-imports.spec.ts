import { findCycle, folderGraph } from './folder-imports';

describe('folder imports', () => {
  it('finds a cycle when there is one, and none when the imports go one way', () => {
    const graph = new Map([
      ['models', new Set(['shared-kernel', 'valuation'])],
      ['valuation', new Set(['models'])],
    ]);
    expect(findCycle(graph)).toEqual(['models', 'valuation', 'models']);
    expect(findCycle(new Map([['models', new Set(['valuation'])]]))).toBeUndefined();
  });

  it("reads a folder's relative imports as edges between its top-level folders", () => {
    const graph = folderGraph(__dirname);
    // This lib's own src: the population folder imports the random lib only by package name, and
    // the index (a root file) imports its folders.
    expect([...(graph.get('index') ?? [])]).toEqual(expect.arrayContaining(['population', 'infrastructure']));
    expect(graph.get('folder-imports')).toBeUndefined();
  });
});
