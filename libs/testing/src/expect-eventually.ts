/**
 * Retries an assertion until it passes or the timeout elapses; the last failure is rethrown, so
 * the test report shows the real mismatch rather than a timeout.
 */
export async function expectEventually<T>(assertion: () => T | Promise<T>, { timeoutMs = 30000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
