import { type CliIo, ExitCode, UsageError } from './cli-io';
import { commands } from './commands';

function usage(): string {
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(12)} ${entry.summary}`);
  return `usage: quorumdns <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Runs one command line and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const entry = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.stderr(`quorumdns: unknown command '${name}'\n\n${usage()}`);
    return ExitCode.usage;
  }
  try {
    return await entry.load()(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`quorumdns ${name}: ${error.message}\nusage: quorumdns ${entry.summary}\n`);
      return ExitCode.usage;
    }
    // A bug, not bad input: say so plainly, with the stack only when asked for.
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr(`quorumdns ${name}: internal error: ${err.message}\n`);
    if (io.env.QUORUMDNS_DEBUG) io.stderr(`${err.stack ?? ''}\n`);
    return ExitCode.failure;
  }
}
