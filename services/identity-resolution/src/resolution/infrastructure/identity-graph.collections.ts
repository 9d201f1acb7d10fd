import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Connection } from 'mongoose';
import { ReviewKind } from '../domain/identity-graph.model';
import {
  CustomerDocument,
  IdentifierDocument,
  TraitRecordDocument,
  TrainingStatusDocument,
} from '../application/ports/identity-graph.records';

export interface BlockingPostingDocument {
  _id: string;
  ids: string[];
}

export interface MatchParametersDocument {
  _id: string;
  /** MatchParameters as JSON text: level names are not safe as document keys everywhere. */
  parameters: string;
  records: number;
  createdAt: Date;
}

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

export interface ReviewDocument {
  _id: string;
  kind: ReviewKind;
  status: ReviewStatus;
  customerIds: [string, string];
  reason: string;
  score?: number;
  evidence: Array<{ type: string; value: string }>;
  eventId: string;
  at: Date;
  createdAt: Date;
  decidedAt?: Date;
  decisionNote?: string;
}

/**
 * The service's collections, used through the driver (no mongoose documents on the hot path),
 * with the indexes every query relies on. Only plain indexes: FerretDB v1 has no TTL or partial
 * indexes.
 */
@Injectable()
export class IdentityCollections implements OnModuleInit {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  get identifiers(): Collection<IdentifierDocument> {
    return this.connection.collection<IdentifierDocument>('identifiers');
  }
  get customers(): Collection<CustomerDocument> {
    return this.connection.collection<CustomerDocument>('customers');
  }
  get traitRecords(): Collection<TraitRecordDocument> {
    return this.connection.collection<TraitRecordDocument>('trait_records');
  }
  get blockingIndex(): Collection<BlockingPostingDocument> {
    return this.connection.collection<BlockingPostingDocument>('blocking_index');
  }
  get matchParameters(): Collection<MatchParametersDocument> {
    return this.connection.collection<MatchParametersDocument>('match_parameters');
  }
  get reviewQueue(): Collection<ReviewDocument> {
    return this.connection.collection<ReviewDocument>('review_queue');
  }
  get matchingTraining(): Collection<TrainingStatusDocument> {
    return this.connection.collection<TrainingStatusDocument>('matching_training');
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.identifiers.createIndex({ customerId: 1 }),
      this.identifiers.createIndex({ type: 1, value: 1 }),
      this.customers.createIndex({ mergedInto: 1 }),
      this.customers.createIndex({ moveAnnounced: 1, movedAt: 1 }),
      this.customers.createIndex({ mergeAnnounced: 1, 'merge.at': 1 }),
      this.customers.createIndex({ 'splitOutbox.at': 1 }),
      this.matchParameters.createIndex({ createdAt: -1 }),
      this.reviewQueue.createIndex({ status: 1, createdAt: 1 }),
      this.traitRecords.createIndex({ customerId: 1 }),
    ]);
  }
}
