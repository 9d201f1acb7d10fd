import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { ModelJobRun } from '../domain/model-job-run';
import { ModelJobRuns } from '../application/ports/model-job-runs.port';
import { ModelJobRunRecord } from './model-job-run.schema';

@Injectable()
export class ModelJobRunRepository implements ModelJobRuns {
  constructor(@InjectModel(ModelJobRunRecord.name) private readonly runs: Model<ModelJobRunRecord>) {}

  async insert(run: ModelJobRun): Promise<void> {
    await this.runs.create(run);
  }

  async heartbeat(id: string, at: Date): Promise<void> {
    await this.runs.updateOne({ _id: id, status: 'running' }, { $set: { heartbeatAt: at } }).exec();
  }

  async finish(
    id: string,
    update: Pick<ModelJobRun, 'status'> & Partial<Pick<ModelJobRun, 'outcome' | 'result' | 'error'>>,
  ): Promise<void> {
    await this.runs.updateOne({ _id: id, status: 'running' }, { $set: { ...update, finishedAt: new Date() } }).exec();
  }

  async get(id: string): Promise<ModelJobRun | null> {
    return this.runs.findById(id).lean().exec();
  }

  async recent(limit: number): Promise<ModelJobRun[]> {
    return this.runs.find().sort({ requestedAt: -1, _id: -1 }).limit(limit).lean().exec();
  }
}
