import DataLoader from 'dataloader';
import type { FilterQuery, Model } from 'mongoose';
import type { Logger } from '@o2o/observability';
import { GenerationCachedSet, Redis } from '@o2o/redis';

/** Largest erased set a process copies; beyond it every check reads MongoDB. */
const ERASED_COPY_MAX = 200_000;

/**
 * The keyed hashes a collection records as erased (one document per hash, its `_id`), as the
 * per-batch checks read them: erasures are rare, so the process keeps a copy, revalidated on each
 * check by one Redis GET of the generation token `key` (libs/redis GenerationCachedSet). Without
 * a copy to answer from (Redis not answering, or more than ERASED_COPY_MAX hashes), checks made
 * in the same tick go to MongoDB as one `$in` read. Writers call `changed()` after recording.
 */
export function erasedSetCopy<T extends { _id: string }>(erased: Model<T>, redis: Redis, key: string, logger: Logger): GenerationCachedSet {
  const loader = new DataLoader<string, boolean>(
    async (hashes) => {
      const docs = await erased
        .find({ _id: { $in: [...hashes] } } as FilterQuery<T>, { _id: 1 })
        .lean<Array<{ _id: string }>>()
        .exec();
      const found = new Set(docs.map((d) => d._id));
      return hashes.map((h) => found.has(h));
    },
    { cache: false, maxBatchSize: 1000 },
  );
  return new GenerationCachedSet(
    redis,
    {
      loadAll: async (max) => {
        const docs = await erased
          .find({}, { _id: 1 })
          .limit(max + 1)
          .lean<Array<{ _id: string }>>()
          .exec();
        return docs.length > max ? undefined : docs.map((d) => d._id);
      },
      among: async (hashes) => {
        const answers = await loader.loadMany([...hashes]);
        const found = new Set<string>();
        hashes.forEach((h, i) => {
          const answer = answers[i];
          if (answer instanceof Error) throw answer;
          if (answer) found.add(h);
        });
        return found;
      },
    },
    { key, maxMembers: ERASED_COPY_MAX, logger },
  );
}
