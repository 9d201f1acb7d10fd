import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { attributeNameKey, isRecord, isScalar, readString, statedPurpose, slug, type JsonRecord, type Scalar } from './event-reading';
import { normaliseInstant } from './instant';
import { compareObservations, sortFacts, type Fact } from './needs-profile';
import type { AttributeMapping, ExplicitFactsConfig, ProfilingConfig } from './profiling-config';
import { answerFits, findQuestion, type Question, type QuestionBank } from './question-bank';

/** Input the profile could not use, reported so the service can count it; never an error. */
export interface SkippedInput {
  reason:
    | 'no-purpose'
    | 'unmapped-attribute'
    | 'unsupported-value'
    | 'unknown-question'
    | 'answer-does-not-fit'
    | 'too-many-facts'
    | 'invalid-key';
  detail: string;
}

const FACT_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const PURPOSE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const mappingCache = new WeakMap<ExplicitFactsConfig, { attributes: Map<string, AttributeMapping>; neverStore: Set<string> }>();

function lookups(config: ExplicitFactsConfig) {
  let cached = mappingCache.get(config);
  if (!cached) {
    cached = {
      attributes: new Map(Object.entries(config.attributes).map(([name, mapping]) => [attributeNameKey(name), mapping])),
      neverStore: new Set(config.neverStore.map(attributeNameKey)),
    };
    mappingCache.set(config, cached);
  }
  return cached;
}

function bankPurpose(bank: QuestionBank, key: string): string | undefined {
  return bank.questions.find((q) => q.factKey === key)?.purpose;
}

interface Draft {
  key: string;
  value: Scalar;
  purpose: string | undefined;
  origin: string;
  confidence: number;
}

/**
 * The explicit facts an event states: identify traits, answers to questions, preference-centre
 * choices and consents. Traits carried in context.traits on other calls are cached copies of an
 * earlier identify, so they are deliberately not re-read (they would re-date old statements).
 */
export function explicitObservations(
  event: ResolvedEventDataV1,
  config: ProfilingConfig,
): { observations: Fact[]; skipped: SkippedInput[] } {
  const skipped: SkippedInput[] = [];
  const drafts: Draft[] = [];
  const stated = statedPurpose(event);
  const explicit = config.explicit;

  if (event.eventType === 'identify' && event.traits) {
    drafts.push(...attributeDrafts(event.traits, 'trait', explicit.confidence.trait, stated, config, skipped));
  } else if (event.eventType === 'track' && event.event === config.events.questionAnswered) {
    const draft = answerDraft(event.properties, stated, config, skipped);
    if (draft) drafts.push(draft);
  } else if (event.eventType === 'track' && event.event === config.events.preferencesUpdated) {
    const preferences = event.properties?.['preferences'];
    if (isRecord(preferences))
      drafts.push(...attributeDrafts(preferences, 'preference-centre', explicit.confidence.preference, stated, config, skipped));
    const consents = event.properties?.['consents'];
    if (isRecord(consents)) {
      for (const [purpose, granted] of Object.entries(consents)) {
        if (!PURPOSE_NAME.test(purpose) || typeof granted !== 'boolean') {
          skipped.push({ reason: 'unsupported-value', detail: `consent ${purpose}` });
          continue;
        }
        drafts.push({
          key: `consent.${purpose}`,
          value: granted,
          purpose: explicit.consentPurpose,
          origin: 'preference-centre',
          confidence: explicit.confidence.preference,
        });
      }
    }
  } else if (event.eventType === 'track' && event.event === config.events.consentUpdated) {
    const purpose = event.properties?.['purpose'];
    const granted = event.properties?.['granted'];
    if (typeof purpose !== 'string' || !PURPOSE_NAME.test(purpose) || typeof granted !== 'boolean') {
      skipped.push({ reason: 'unsupported-value', detail: 'consent update without purpose and granted' });
    } else {
      drafts.push({
        key: `consent.${purpose}`,
        value: granted,
        purpose: explicit.consentPurpose,
        origin: 'preference-centre',
        confidence: explicit.confidence.preference,
      });
    }
  }

  const observedAt = normaliseInstant(event.timestamp);
  const observations: Fact[] = [];
  for (const draft of drafts) {
    if (!FACT_KEY.test(draft.key)) {
      skipped.push({ reason: 'invalid-key', detail: draft.key });
      continue;
    }
    if (typeof draft.value === 'string' && draft.value.length > explicit.maxValueLength) {
      skipped.push({ reason: 'unsupported-value', detail: `${draft.key}: longer than ${explicit.maxValueLength} characters` });
      continue;
    }
    if (draft.purpose === undefined) {
      skipped.push({ reason: 'no-purpose', detail: draft.key });
      continue;
    }
    observations.push({
      key: draft.key,
      value: draft.value,
      kind: 'explicit',
      channel: event.channel,
      purpose: draft.purpose,
      confidence: draft.confidence,
      observedAt,
      sourceEventId: event.messageId,
      origin: draft.origin,
    });
  }
  return { observations, skipped };
}

function attributeDrafts(
  attributes: JsonRecord,
  origin: 'trait' | 'preference-centre',
  confidence: number,
  stated: string | undefined,
  config: ProfilingConfig,
  skipped: SkippedInput[],
): Draft[] {
  const { attributes: mappings, neverStore } = lookups(config.explicit);
  const drafts: Draft[] = [];
  for (const [name, raw] of Object.entries(attributes)) {
    const nameKey = attributeNameKey(name);
    if (neverStore.has(nameKey)) continue;
    const mapping = mappings.get(nameKey);
    let key: string;
    let fallbackPurpose: string | undefined;
    if (mapping) {
      key = mapping.key;
      fallbackPurpose = mapping.purpose ?? bankPurpose(config.questionBank, key);
    } else if (origin === 'preference-centre') {
      key = `preference.${slug(name)}`;
      fallbackPurpose = config.explicit.preferenceCentrePurpose;
    } else if (config.explicit.keepUnmappedTraitsWithStatedPurpose && stated !== undefined) {
      key = `trait.${slug(name)}`;
      fallbackPurpose = undefined;
    } else {
      skipped.push({ reason: 'unmapped-attribute', detail: name });
      continue;
    }
    const purpose = stated ?? fallbackPurpose;
    if (Array.isArray(raw) && mapping?.expand) {
      for (const element of raw) {
        if (typeof element !== 'string' || slug(element) === '') {
          skipped.push({ reason: 'unsupported-value', detail: `${name}[]` });
          continue;
        }
        drafts.push({ key: `${key}.${slug(element)}`, value: true, purpose, origin, confidence });
      }
    } else if (isScalar(raw)) {
      drafts.push({ key, value: typeof raw === 'string' ? raw.trim() : raw, purpose, origin, confidence });
    } else {
      skipped.push({ reason: 'unsupported-value', detail: name });
    }
  }
  return drafts;
}

function answerDraft(
  properties: JsonRecord | undefined,
  stated: string | undefined,
  config: ProfilingConfig,
  skipped: SkippedInput[],
): Draft | undefined {
  const questionId = readString(properties, 'questionId', 'question_id');
  const question: Question | undefined = questionId === undefined ? undefined : findQuestion(config.questionBank, questionId);
  // A clerk may record an answer to a question outside the bank, naming the fact it fills.
  const key = question?.factKey ?? readString(properties, 'factKey', 'fact_key');
  if (key === undefined) {
    skipped.push({ reason: 'unknown-question', detail: questionId ?? '(no questionId)' });
    return undefined;
  }
  const raw = properties?.['answer'];
  if (!isScalar(raw)) {
    skipped.push({ reason: 'unsupported-value', detail: `answer to ${questionId ?? key}` });
    return undefined;
  }
  let value: Scalar = typeof raw === 'string' ? raw.trim() : raw;
  if (question) {
    if (!answerFits(question, value)) {
      skipped.push({ reason: 'answer-does-not-fit', detail: question.id });
      return undefined;
    }
    const spec = question.answer;
    if (spec?.type === 'choice' && typeof value === 'string') {
      const typed = value.toLowerCase();
      value = spec.options.find((o) => o.toLowerCase() === typed) ?? value;
    }
  }
  return {
    key,
    value,
    purpose: stated ?? question?.purpose ?? bankPurpose(config.questionBank, key),
    origin: `answer:${questionId ?? key}`,
    confidence: config.explicit.confidence.answer,
  };
}

/**
 * Folds observations into the explicit facts. Per key, the current fact is the newest observation
 * (observedAt, then event id) and the next `historyPerKey` are kept as history; choosing the top
 * of a set makes the result independent of arrival order and of repetition. Used by both
 * `applyEvent` and `mergeProfiles`.
 */
export function foldExplicit(
  facts: readonly Fact[],
  history: readonly Fact[],
  observations: readonly Fact[],
  config: ExplicitFactsConfig,
): { facts: Fact[]; history: Fact[]; skipped: SkippedInput[] } {
  const skipped: SkippedInput[] = [];
  const pools = new Map<string, Fact[]>();
  const add = (fact: Fact) => {
    const pool = pools.get(fact.key);
    if (pool) pool.push(fact);
    else pools.set(fact.key, [fact]);
  };
  for (const fact of facts) if (fact.kind === 'explicit') add(fact);
  for (const fact of history) add(fact);
  let keyCount = pools.size;
  for (const observation of observations) {
    if (!pools.has(observation.key)) {
      if (keyCount >= config.maxFacts) {
        skipped.push({ reason: 'too-many-facts', detail: observation.key });
        continue;
      }
      keyCount += 1;
    }
    add(observation);
  }

  const current: Fact[] = facts.filter((f) => f.kind !== 'explicit');
  const kept: Fact[] = [];
  for (const pool of pools.values()) {
    const byEvent = new Map<string, Fact>();
    for (const fact of pool) {
      const seen = byEvent.get(fact.sourceEventId);
      if (!seen || compareObservations(fact, seen) > 0) byEvent.set(fact.sourceEventId, fact);
    }
    const ordered = [...byEvent.values()].sort((a, b) => compareObservations(b, a));
    const [newest, ...older] = ordered;
    if (newest) current.push(newest);
    kept.push(...older.slice(0, config.historyPerKey));
  }
  return {
    facts: sortFacts(current),
    history: kept.sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : compareObservations(b, a))),
    skipped,
  };
}
