/**
 * Re-estimates the Fellegi-Sunter match parameters (EM) from the trait records the service has
 * stored and writes them as a new current version; running instances pick it up within
 * MATCHING_PARAMETERS_REFRESH_MS. Uses the service's own environment (MONGO_URL, MONGO_DB).
 * Offline and without the review-decision check or the re-match of stored records that the
 * service's training job (POST /v1/matching/training) does.
 *
 *   node services/identity-resolution/dist/cli/estimate-parameters.js
 */
import mongoose from 'mongoose';
import { initialMatchParameters, matchParametersSchema, upgradeStoredParameters } from '../matching/domain';
import { loadIdentityResolutionConfig } from '../config/identity-resolution.config';
import { estimateParameters } from '../resolution/application/estimate-parameters/estimate-parameters';
import { TraitRecordDocument } from '../resolution/application/ports/identity-graph.records';
import { MatchParametersDocument } from '../resolution/infrastructure/identity-graph.collections';

async function main(): Promise<void> {
  const config = loadIdentityResolutionConfig();
  const connection = await mongoose
    .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, serverSelectionTimeoutMS: 10000 })
    .asPromise();
  try {
    const parameters = connection.collection<MatchParametersDocument>('match_parameters');
    const records = await connection
      .collection<TraitRecordDocument>('trait_records')
      .find({}, { projection: { record: 1 } })
      .toArray();
    const [latest] = await parameters.find({}).sort({ createdAt: -1, _id: -1 }).limit(1).toArray();
    const previous =
      latest !== undefined
        ? matchParametersSchema.parse(upgradeStoredParameters(JSON.parse(latest.parameters)))
        : initialMatchParameters('initial');
    const started = Date.now();
    const estimated = estimateParameters(
      records.map((r) => r.record),
      previous,
    );
    await parameters.updateOne(
      { _id: estimated.version },
      { $setOnInsert: { parameters: JSON.stringify(estimated), records: records.length, createdAt: new Date() } },
      { upsert: true },
    );
    process.stdout.write(
      `stored match parameters ${estimated.version} (previous ${previous.version}) from ${records.length} records in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `lambda ${estimated.lambda.toExponential(3)}, ${estimated.training?.candidatePairs ?? 0} candidate pairs, ` +
        `${estimated.training?.iterations ?? 0} EM iterations, converged ${String(estimated.training?.converged ?? false)}\n`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`estimate-parameters failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
