/**
 * The quorumdns binary for spawned-process tests: src/cli.ts with the operator commands registered (only
 * those src/cli/commands.ts does not list yet).
 */
import { processIo } from '../../../src/cli/cli-io';
import { main } from '../../../src/cli/main';
import { registerOperatorCommands } from './operator-harness';

registerOperatorCommands();
main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quorumdns: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
