/**
 * A `quorumdns evaluate` child process for tests: spawned through the real CLI (`src/cli.ts evaluate`, with
 * tsx loaded into node itself: the `tsx` binary runs the program in a second process and does not pass
 * SIGHUP or SIGSTOP on, which is exactly what these tests send), its JSON log lines collected, with helpers
 * to wait for a line and for its exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './fixtures';

const ROOT = join(__dirname, '..', '..', '..');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface EvaluatorProcess {
  child: ChildProcess;
  logs: LogLine[];
  /** Non-JSON stderr/stdout text (usage errors, crashes). */
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
}

export function spawnEvaluator(args: string[], env: NodeJS.ProcessEnv = {}): EvaluatorProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'evaluate', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: LogLine[] = [];
  const text: string[] = [];
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        text.push(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    logs,
    text,
    exited,
    waitForLog: (predicate, what, timeoutMs = 15_000) =>
      waitFor(() => logs.find(predicate), { what, timeoutMs }).catch((error: Error) => {
        throw new Error(
          `${error.message}; last log lines: ${JSON.stringify(logs.slice(-5))} ${text.join(' ')}`,
        );
      }),
  };
}

/** Stops a child that is still running (SIGKILL), for afterAll. */
export async function killIfRunning(process: EvaluatorProcess | undefined): Promise<void> {
  if (process === undefined || process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGKILL');
  await process.exited;
}
