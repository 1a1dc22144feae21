/**
 * `quorumdns lab` as a child process, run from the sources (node with tsx loaded into it, so signals reach the
 * lab itself and not a wrapper), its output collected, with helpers to wait for a line and to read what the
 * lab printed about itself (temp dir, pids, ports).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../../support/wait-for';

const ROOT = join(__dirname, '..', '..', '..');

export interface LabProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stdout matches `pattern`; returns the match. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpMatchArray>;
}

export function spawnLab(args: string[], env: NodeJS.ProcessEnv): LabProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'lab', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, what, timeoutMs) =>
      waitFor(() => pattern.exec(out) ?? undefined, { what, timeoutMs, intervalMs: 100 }).catch(
        (error: Error) => {
          throw new Error(`${error.message}\n--- lab stdout ---\n${out}\n--- lab stderr ---\n${err}`);
        },
      ),
  };
}

/** The environment of the test process without `REDIS_URL` (the lab then starts its own redis-server). */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** The lab's temp dir, from its first line. */
export function labDir(stdout: string): string | undefined {
  return /files and logs in (\S+)\)/.exec(stdout)?.[1];
}

/** Every `pid N` the lab printed (Redis, children). */
export function printedPids(stdout: string): number[] {
  return [...new Set([...stdout.matchAll(/\bpid (\d+)/g)].map((match) => Number(match[1])))];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops a lab left running by a failed test: SIGTERM (its own teardown), then SIGKILL for it and its children. */
export async function stopLab(lab: LabProcess | undefined): Promise<void> {
  if (lab === undefined || lab.child.exitCode !== null || lab.child.signalCode !== null) return;
  lab.child.kill('SIGTERM');
  const stopped = await Promise.race([
    lab.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
  ]);
  if (stopped) return;
  lab.child.kill('SIGKILL');
  for (const pid of printedPids(lab.stdout())) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
