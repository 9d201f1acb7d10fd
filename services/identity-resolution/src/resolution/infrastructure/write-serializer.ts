import { Injectable } from '@nestjs/common';
import { SerialGate } from '@o2o/mongo';

/**
 * Runs one graph write at a time in this process. Correctness does not depend on it (writes are
 * conditional and converge across instances); FerretDB v1 does: concurrent bulk writes updating
 * the same documents (shared blocking keys, survivors) stall its SQLite backend outright once
 * the bulks are a few hundred operations long, and raise E11000 on racing upserts below that.
 * Partitions consumed concurrently in one process would collide on exactly those documents.
 */
@Injectable()
export class WriteSerializer extends SerialGate {}
