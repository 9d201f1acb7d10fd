import { findCycle, folderGraph } from '@o2o/testing';

describe('feature folders', () => {
  it('import each other in no cycle (see docs/architecture.md, "Value scoring: the folders and use cases")', () => {
    const graph = folderGraph(__dirname);
    // The parse itself is checked: the model jobs do read purchases and valuation, and valuation the shared kernel.
    expect([...(graph.get('models') ?? [])]).toEqual(expect.arrayContaining(['purchases', 'valuation', 'shared-kernel']));
    expect([...(graph.get('valuation') ?? [])]).toEqual(expect.arrayContaining(['shared-kernel', 'scoring']));
    expect(findCycle(graph)).toBeUndefined();
  });
});
