import type { CliIo } from './cli-io';

/**
 * A failure an operator command reports as one clear line and an exit code, never with a stack:
 * `usage` (exit 2) for what the operator typed wrong (unknown service or pool, bad --for), `failure`
 * (exit 1) for the world being wrong (invalid config, Redis unreachable).
 */
export class OperatorCommandError extends Error {
  override readonly name = 'OperatorCommandError';

  constructor(
    message: string,
    /** Stable code for scripts and tests: EUNKNOWN_SERVICE, EUNKNOWN_POOL, EDURATION, ECONFIG, EREDIS, ... */
    readonly code: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/**
 * Runs the body of an operator command: an `OperatorCommandError` becomes `quorumdns <command>: <message>`
 * on stderr and its exit code; anything else is rethrown so main() reports it as the internal error it is.
 */
export async function runOperatorCommand(
  command: string,
  io: CliIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof OperatorCommandError) {
      io.stderr(`quorumdns ${command}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
