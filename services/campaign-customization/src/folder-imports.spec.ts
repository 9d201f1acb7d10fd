import { findCycle, folderGraph } from '@o2o/testing';

describe('feature folders', () => {
  it('import each other in no cycle (see docs/architecture.md, "Campaign customization: the folders")', () => {
    const graph = folderGraph(__dirname);
    // The parse itself is checked: the projection does read segments and the lift domain.
    expect([...(graph.get('profiles') ?? [])]).toEqual(expect.arrayContaining(['segments', 'lift', 'shared-kernel']));
    expect(findCycle(graph)).toBeUndefined();
  });
});
