import type { CliIo } from '../../src/cli/cli-io';

/** A CliIo whose output is kept for assertions: commands run in-process exactly as the binary runs them. */
export interface CapturedIo extends CliIo {
  out: string[];
  err: string[];
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(options: { cwd: string; env?: NodeJS.ProcessEnv; isTty?: boolean }): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
    env: options.env ?? {},
    cwd: options.cwd,
    isTty: options.isTty ?? false,
  };
}
