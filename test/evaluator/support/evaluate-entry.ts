/**
 * `quorumdns evaluate` exactly as src/cli.ts runs it, for the process tests while the dispatcher
 * (src/cli/commands.ts, owned by the lead) has no `evaluate` entry yet.
 */
import { processIo } from '../../../src/cli/cli-io';
import { evaluateCommand } from '../../../src/cli/evaluate-command';

evaluateCommand(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`quorumdns evaluate: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
