import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util's parseArgs in strict mode, with its errors turned into `UsageError`
 * so every command reports a bad flag the same way (message + usage, exit 2).
 */
export function parseArgs<O extends Options>(args: string[], options: O, allowPositionals = true) {
  try {
    return nodeParseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
