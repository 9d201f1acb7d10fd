import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { isDuplicateKeyError, nativeCollection } from '@o2o/mongo';
import type { CampaignDefinition } from '../domain/campaign-definition';
import { CampaignConflictError, type CampaignDocument, type StoredCampaigns } from '../application/ports';

const HISTORY_KEPT = 50;

@Injectable()
export class CampaignRepository implements StoredCampaigns {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get campaigns(): mongo.Collection<CampaignDocument> {
    return nativeCollection<CampaignDocument>(this.connection, 'campaigns');
  }

  async all(): Promise<CampaignDefinition[]> {
    const documents = await this.campaigns
      .find({}, { projection: { definition: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return documents.map((d) => d.definition);
  }

  async get(id: string): Promise<CampaignDocument | null> {
    return this.campaigns.findOne({ _id: id });
  }

  async insert(definition: CampaignDefinition): Promise<boolean> {
    const now = new Date().toISOString();
    try {
      await this.campaigns.insertOne({
        _id: definition.id,
        definition,
        history: [{ ...definition, savedAt: now }],
        createdAt: now,
        updatedAt: now,
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Saves the next version, conditional on the version read (the version is the revision here). */
  async save(current: CampaignDocument, next: CampaignDefinition): Promise<CampaignDocument> {
    const now = new Date().toISOString();
    const history = [...current.history, { ...next, savedAt: now }].slice(-HISTORY_KEPT);
    const result = await this.campaigns.updateOne(
      { _id: current._id, 'definition.version': current.definition.version },
      { $set: { definition: next, history, updatedAt: now } },
    );
    if (result.matchedCount === 0) throw new CampaignConflictError(current._id);
    return { ...current, definition: next, history, updatedAt: now };
  }
}
