import type { Context } from '@opentelemetry/api';
import type { ProfileChange as DomainProfileChange } from '../../domain/profile-change';

/** One input of the combined projection, as the consumers hand it over, with its trace context. */
export type ProfileChange = DomainProfileChange<Context>;
