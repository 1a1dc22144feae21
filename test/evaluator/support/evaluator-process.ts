/**
 * A `quorumdns evaluate` child process for tests, on the shared harness (test/support/quorumdns-process.ts):
 * it inherits this process's environment (the tests pass `REDIS_URL` and the like on top).
 */
import { type QuorumdnsProcess, spawnQuorumdns } from '../../support/quorumdns-process';

export type EvaluatorProcess = QuorumdnsProcess;

export function spawnEvaluator(args: string[], env: NodeJS.ProcessEnv = {}): EvaluatorProcess {
  // Named after its --id, so a failure message says which evaluator it was.
  const idAt = args.indexOf('--id');
  const name = idAt >= 0 ? (args[idAt + 1] ?? 'evaluate') : 'evaluate';
  return spawnQuorumdns(name, ['evaluate', ...args], { ...process.env, ...env });
}
