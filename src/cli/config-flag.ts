import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfigOrThrow } from '../config/load-config';
import { formatProblem } from '../config/problem';
import type { Config } from '../config/types';
import type { CliIo } from './cli-io';
import { OperatorCommandError } from './operator-error';

/** The config file read when neither `--config` nor `QUORUMDNS_CONFIG` names one. */
export const DEFAULT_CONFIG_PATH = './quorumdns.yaml';

/**
 * `--config <path>`, repeatable (`--config shared.yaml --config services/`): files and directories merged in
 * that order, exactly like `quorumdns validate`. Spread into a command's parseArgs options.
 */
export const configOption = {
  config: { type: 'string', multiple: true, short: 'c' },
} as const;

/**
 * The config paths of a command line: the `--config` values, else `QUORUMDNS_CONFIG` (one file or directory,
 * the same variable the Lambda handler reads), else `./quorumdns.yaml`.
 */
export function configPaths(flag: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  if (flag !== undefined && flag.length > 0) return [...flag];
  const fromEnv = env.QUORUMDNS_CONFIG?.trim();
  if (fromEnv) return [fromEnv];
  return [DEFAULT_CONFIG_PATH];
}

/**
 * Loads and validates the configuration the way every operator command needs it: an invalid config is
 * exit 1 with every problem (`file:line:col: path: message`); the default file missing is exit 2 with
 * how to name one. Warnings are not printed: they belong to `quorumdns validate`, not to an incident.
 */
export async function loadOperatorConfig(flag: readonly string[] | undefined, io: CliIo): Promise<Config> {
  const paths = configPaths(flag, io.env);
  if (
    flag === undefined &&
    !io.env.QUORUMDNS_CONFIG?.trim() &&
    !existsSync(resolve(io.cwd, DEFAULT_CONFIG_PATH))
  ) {
    throw new OperatorCommandError(
      `no configuration: ${DEFAULT_CONFIG_PATH} does not exist; pass --config <path> or set QUORUMDNS_CONFIG`,
      'ENOCONFIG',
      2,
    );
  }
  try {
    const { config } = await loadConfigOrThrow(paths, { cwd: io.cwd });
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      const errors = error.problems.filter((problem) => problem.severity === 'error');
      throw new OperatorCommandError(
        `invalid configuration (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map(formatProblem).join('\n')}`,
        'ECONFIG',
        1,
      );
    }
    throw error;
  }
}
