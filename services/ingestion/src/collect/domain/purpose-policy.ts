import { SegmentMessageV1 } from '@o2o/contracts';
import { ValidationIssue } from './message-validator';

/**
 * Every fact must have a stated purpose. Calls that carry facts about the customer (identify,
 * answers to questions, preference changes: configurable) must name one, in context.purpose or
 * properties.purpose, from the configured list.
 */
export interface PurposePolicy {
  /** Call types ("identify") and track event names ("Question Answered") that must state a purpose. */
  requiredFor: ReadonlySet<string>;
  /** Known purposes; an unknown one is rejected so typos do not create purposes nobody consented to. */
  purposes: ReadonlySet<string>;
}

export function statedPurpose(message: SegmentMessageV1): { value: unknown; field: string } | undefined {
  const fromContext = message.context?.['purpose'];
  if (fromContext !== undefined) return { value: fromContext, field: 'context.purpose' };
  if ((message.type === 'track' || message.type === 'page' || message.type === 'screen') && message.properties?.['purpose'] !== undefined) {
    return { value: message.properties['purpose'], field: 'properties.purpose' };
  }
  return undefined;
}

export function checkPurpose(message: SegmentMessageV1, policy: PurposePolicy, fieldPrefix = ''): ValidationIssue | undefined {
  const at = (field: string) => (fieldPrefix ? `${fieldPrefix}.${field}` : field);
  const stated = statedPurpose(message);
  const required = policy.requiredFor.has(message.type) || (message.type === 'track' && policy.requiredFor.has(message.event));
  if (!stated) {
    return required
      ? {
          field: at('context.purpose'),
          code: 'required',
          message: `a purpose is required for ${message.type === 'track' ? `"${message.event}"` : message.type} calls`,
        }
      : undefined;
  }
  if (typeof stated.value !== 'string' || !policy.purposes.has(stated.value)) {
    return { field: at(stated.field), code: 'invalid_value', message: `purpose must be one of ${[...policy.purposes].sort().join(', ')}` };
  }
  return undefined;
}
