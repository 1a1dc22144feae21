/**
 * A `quorumdns <command>` child process for tests (end-to-end, evaluators, drill runs): the real CLI
 * (`src/cli.ts`, with tsx loaded into node itself: the `tsx` binary runs the program in a second process and
 * does not pass signals such as SIGINT, SIGHUP or SIGSTOP on, which is exactly what these tests send), its
 * JSON log lines collected from stdout and stderr, other text kept for assertions and failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface QuorumdnsProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** Output that is not a JSON log line (usage errors, crashes). */
  readonly text: string[];
  /** Everything the child wrote to stdout and stderr, as it came (for programs that print text). */
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** The last lines, for failure messages. */
  tail(lines?: number): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * The environment of every child: static dummy cloud credentials (never a real credential chain, never the
 * instance metadata address), and nothing inherited that could point the SDKs elsewhere.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'GOOGLE_APPLICATION_CREDENTIALS',
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_ROLE_ARN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'QUORUMDNS_CONFIG',
    'REDIS_URL',
  ]) {
    delete env[name];
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'e2e-test',
    AWS_SECRET_ACCESS_KEY: 'e2e-test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    METADATA_SERVER_DETECTION: 'none',
    QUORUMDNS_CLOUDDNS_TOKEN: 'e2e-test',
    ...extra,
  };
}

export function spawnQuorumdns(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = childEnv(),
): QuorumdnsProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  const output: string[] = [];
  const collector = (): ((chunk: Buffer) => void) => {
    let pending = '';
    return (chunk) => {
      output.push(chunk.toString('utf8'));
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
  };
  child.stdout?.on('data', collector());
  child.stderr?.on('data', collector());
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const tail = (count = 8): string =>
    `${name}: ${JSON.stringify(logs.slice(-count))}${text.length > 0 ? ` ${text.slice(-count).join(' | ')}` : ''}`;
  return {
    name,
    child,
    logs,
    text,
    output,
    exited,
    running,
    tail,
    waitForLog: (predicate, what, timeoutMs = 30_000) =>
      waitFor(
        () => {
          const found = logs.find(predicate);
          if (found === undefined && !running())
            throw new Error(`${name} exited while waiting for ${what}; ${tail()}`);
          return found;
        },
        { what: `${name}: ${what}`, timeoutMs },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; ${tail()}`);
      }),
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
