import type { NeedsProfiledDataV1, RelationshipStage } from '@o2o/contracts';
import { publishedJson, type NeedsProfile } from '../domain';
import type { JournalEntry, StoredNeedsProfile } from '../application/ports/needs-profile.store';

/**
 * How a needs profile document is stored. The profile and the last published payload, which are
 * only ever read and written whole, are JSON text, and so is each journal entry: FerretDB v1
 * decodes every nested value of a document it reads or updates (a projection does not spare the
 * journal), and on its SQLite backend that decoding was most of this collection's cost. On 2000
 * profiles of bench size: a read of 30 customers 48 -> 11 ms, of 200 270 -> 68 ms, a bulk of 50
 * conditional updates 144 -> 52 ms; journal entries as text account for 89 -> 68 ms of the read
 * of 200, and for 720 -> 325 ms with 50-entry journals.
 *
 * Whatever a query filters or sorts on stays a field: `stage` copies `profile.stage.current` for
 * the stage sweep and is written in the same update as the profile. Documents written before
 * (nested `profile` and `published`, journal entries as objects) are still read; the next write
 * of a part stores it as text and unsets its nested form.
 */
export interface NeedsProfileDocument {
  _id: string;
  version: number;
  /** The NeedsProfile as JSON text. */
  profileJson?: string;
  /** `profile.stage.current`, beside profileJson and written with it: the stage sweep filters on it. */
  stage?: RelationshipStage;
  /** The last payload published on needs.profiles.v1, as JSON text. */
  publishedJson?: string;
  /** Newest applied events, each as JSON text (entries written before are objects; $push appends text). */
  journal?: Array<string | JournalEntry>;
  mergedInto?: string;
  tombstonePending?: boolean;
  appliedChanges?: string[];
  writeId?: string;
  updatedAt?: Date;
  /** The profile as documents written before profileJson held it (read only). */
  profile?: NeedsProfile;
  /** The published payload as documents written before publishedJson held it (read only). */
  published?: NeedsProfiledDataV1;
}

/** The fields a profile write sets. */
export function profileFields(profile: NeedsProfile): Pick<Required<NeedsProfileDocument>, 'profileJson' | 'stage'> {
  return { profileJson: JSON.stringify(profile), stage: profile.stage.current };
}

export function publishedFields(published: NeedsProfiledDataV1): Pick<Required<NeedsProfileDocument>, 'publishedJson'> {
  return { publishedJson: publishedJson(published) };
}

export function journalText(entries: readonly JournalEntry[]): string[] {
  return entries.map((entry) => JSON.stringify(entry));
}

/** The fields a merge turns into a pointer no longer holds, in either form. */
export const PROFILE_CONTENT_FIELDS = { profileJson: '', stage: '', publishedJson: '', journal: '', profile: '', published: '' } as const;

/**
 * The document as the repository hands it out: profile, publication and journal decoded,
 * whichever form they were stored in. A data export sends this form, which identity-resolution
 * stores as a document: FerretDB no longer sees nested arrays in the stored text, but an export
 * holding one would still be refused, so the profile must keep avoiding them.
 */
export function fromDocument(document: NeedsProfileDocument): StoredNeedsProfile {
  const { profileJson, stage: _stage, publishedJson, journal, profile: legacyProfile, published: legacyPublished, ...rest } = document;
  const stored: StoredNeedsProfile = { ...rest };
  const profile = typeof profileJson === 'string' ? (JSON.parse(profileJson) as NeedsProfile) : (legacyProfile ?? undefined);
  if (profile !== undefined) stored.profile = profile;
  const published = typeof publishedJson === 'string' ? (JSON.parse(publishedJson) as NeedsProfiledDataV1) : (legacyPublished ?? undefined);
  if (published !== undefined) stored.published = published;
  if (Array.isArray(journal))
    stored.journal = journal.map((entry) => (typeof entry === 'string' ? (JSON.parse(entry) as JournalEntry) : entry));
  return stored;
}
