/**
 * What an adapter call failed with, for tests that check how a provider's answer was classified: the
 * `ProviderError`, or a test failure saying what came instead (a success, or an error of another kind).
 */
import { isProviderError, type ProviderError } from '../../../src/providers/provider-errors';

export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isProviderError(outcome)) throw new Error(`expected a ProviderError, got ${String(outcome)}`);
  return outcome;
}
