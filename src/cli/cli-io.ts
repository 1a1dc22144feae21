/**
 * What a command may touch of the outside world. Commands take it as a parameter so
 * tests run them in-process and read what they printed; the binary passes the real streams.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout is a terminal (colour, tables) or a pipe (plain text). */
  isTty: boolean;
}

/** Exit codes every command uses. */
export const ExitCode = {
  ok: 0,
  /** The command ran and found a problem (invalid config, failed drill, ...). */
  failure: 1,
  /** The command line itself was wrong. */
  usage: 2,
} as const;

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Thrown by argument parsing; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  readonly code = 'EUSAGE';
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
  };
}
