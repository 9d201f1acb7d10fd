import type { NeedsProfile } from '../needs-profile';

/** Everything a profile knows, leaving out its identity and the history of how it got there. */
export function knowledge(p: NeedsProfile) {
  return {
    facts: p.facts,
    factHistory: p.factHistory,
    evidence: p.evidence,
    asked: p.asked,
    activity: p.activity,
    clock: p.clock,
    archetypes: p.archetypes,
    stage: p.stage.current,
    stageReason: p.stage.reason,
  };
}
