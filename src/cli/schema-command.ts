import { configJsonSchema } from '../config/json-schema';
import { type Command, ExitCode } from './cli-io';
import { parseArgs } from './parse-args';

/**
 * `quorumdns schema`: prints the JSON Schema of a configuration file (draft 2020-12).
 * The committed copy is regenerated with `npx tsx src/cli.ts schema > quorumdns.schema.json`.
 */
export const schemaCommand: Command = async (args, io) => {
  parseArgs(args, {}, false);
  io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return ExitCode.ok;
};
