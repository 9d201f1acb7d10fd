/** E11000: a unique index refused a write (a concurrent insert won, or an idempotent replay). */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 11000 || code === 11001) return true;
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  return (
    Array.isArray(writeErrors) &&
    writeErrors.length > 0 &&
    writeErrors.every(
      (e) =>
        isDuplicateKeyError(e) || (e as { code?: unknown })?.code === 11000 || (e as { err?: { code?: unknown } })?.err?.code === 11000,
    )
  );
}
