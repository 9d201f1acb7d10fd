import { mongo } from 'mongoose';

/** What one write command carries: its statements and their BSON size. */
export interface WriteStatements {
  statements: number;
  bytes: number;
}

/** The array field of each batched write command that holds its statements. */
const STATEMENT_FIELDS: Readonly<Record<string, string>> = { insert: 'documents', update: 'updates', delete: 'deletes' };

/**
 * The write statements of a command as the driver's command monitoring reports it, or undefined
 * for a command that writes nothing. Bytes are the BSON size of the statements (documents,
 * filters and updates), without the command's envelope (session, cluster time, write concern),
 * which is the same few hundred bytes whatever the batch holds. One size computation per command,
 * not per message: a bulk write of 200 documents costs one walk of what the driver serialises anyway.
 */
export function writeStatementsOf(commandName: string, command: Readonly<Record<string, unknown>>): WriteStatements | undefined {
  const field = STATEMENT_FIELDS[commandName];
  if (field !== undefined) {
    const statements = command[field];
    if (!Array.isArray(statements)) return undefined;
    return { statements: statements.length, bytes: sizeOf(statements) };
  }
  if (commandName === 'findAndModify') {
    const { query, update, remove } = command;
    return { statements: 1, bytes: sizeOf({ query, update, remove }) };
  }
  return undefined;
}

function sizeOf(value: object): number {
  // calculateObjectSize counts a document's own 5 bytes of framing; an array is sized as the
  // document BSON makes of it ({"0": ..., "1": ...}), so the figure is what the wire carries.
  return mongo.BSON.calculateObjectSize(value, { ignoreUndefined: true });
}
