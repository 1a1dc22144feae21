/**
 * The lab's child processes: `quorumdns probe`, `evaluate`, `dns-server` and `sync`, each a separate process as
 * in production, each in its own process group (a Ctrl-C in the terminal reaches only the lab, which stops
 * them in order; stopping a group also ends anything a child started), each writing to its own log file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabChildError } from './lab-errors';

/** How the running quorumdns binary is started again: same node, same loader flags, same entry file. */
export interface QuorumdnsLauncher {
  execPath: string;
  /** Node flags and the CLI entry file, before the command name. */
  prefix: string[];
}

/**
 * The launcher of this very installation: `node dist/cli.js` when the lab runs from the build, `node --import
 * tsx src/cli.ts` when it runs from the sources (tsx's flags are inherited through `process.execArgv`).
 */
export function currentLauncher(): QuorumdnsLauncher {
  const fromSources = __filename.endsWith('.ts');
  const entry = join(__dirname, '..', fromSources ? 'cli.ts' : 'cli.js');
  // A debugger flag would make every child fight for the same inspector port.
  const flags = process.execArgv.filter(
    (flag) => !flag.startsWith('--inspect') && !flag.startsWith('--debug'),
  );
  if (fromSources && !flags.some((flag) => flag.includes('tsx'))) flags.push('--import', 'tsx');
  return { execPath: process.execPath, prefix: [...flags, entry] };
}

/** The last `lines` lines of a log file ('' when it does not exist). */
export function tailOf(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8').trimEnd();
  return text.split('\n').slice(-lines).join('\n');
}

export interface LabChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LabChildOptions {
  /** What the lab calls it: `probe lab-east`, `evaluate`, `dns-server`, `sync`. */
  name: string;
  /** The quorumdns command line after the binary: `['probe', '--region', 'lab-east', ...]`. */
  args: string[];
  logFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  launcher: QuorumdnsLauncher;
}

export class LabChild {
  readonly name: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<LabChildExit>;
  private stopping = false;
  private exit: LabChildExit | undefined;

  constructor(options: LabChildOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    const fd = openSync(options.logFile, 'a');
    try {
      this.process = spawn(options.launcher.execPath, [...options.launcher.prefix, ...options.args], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.process.once('error', () => {
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Whether the lab is stopping it (an exit then is expected, not a failure). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** `probe lab-east exited with code 1` / `... was killed by SIGKILL`. */
  describeExit(exit: LabChildExit): string {
    if (exit.signal !== null) return `${this.name} (pid ${this.pid ?? '?'}) was killed by ${exit.signal}`;
    if (exit.code === null) return `${this.name} could not be started`;
    return `${this.name} (pid ${this.pid ?? '?'}) exited with code ${exit.code}`;
  }

  /** An error naming the exit and quoting the end of the log. */
  failure(exit: LabChildExit, context: string): LabChildError {
    const tail = tailOf(this.logFile);
    const quoted = tail === '' ? '  (its log is empty)' : tail.replace(/^/gm, '  | ');
    return new LabChildError(
      `${this.describeExit(exit)} ${context}; last lines of ${this.logFile}:\n${quoted}`,
      this.name,
      this.logFile,
    );
  }

  /** SIGTERM to its process group; SIGKILL after `graceMs` if it is still there. Resolves once it has exited. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    // Long gone (sync): its pid may belong to someone else by now, so it gets no signal at all.
    if (this.hasExited) return;
    signalGroup(this.process, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      signalGroup(this.process, 'SIGKILL');
      await this.exited;
    }
    // Whatever the child itself started goes with it (its group outlives it only if something stayed behind).
    signalGroup(this.process, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
