/**
 * A private `redis-server` on a free loopback port, with its files in a directory of its own: the lab's Redis
 * when `REDIS_URL` is not set, and the Redis that tests stop and restart (never the shared one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LAB_HOST } from './free-port';
import { LabError, RedisServerNotFoundError } from './lab-errors';

export interface PrivateRedisOptions {
  /**
   * Keep data across restarts with an append-only file fsynced on every write, like a production Redis
   * with AOF. Off: a restart comes back empty (`--save "" --appendonly no`).
   * @defaultValue false
   */
  persistent?: boolean;
  /** Where its files go; removed by `dispose()`. @defaultValue a fresh `quorumdns-redis-*` temp dir */
  dir?: string;
  /** Redis writes its log here (warnings only). @defaultValue no log */
  logFile?: string;
  /** Its own process group, so a Ctrl-C in the terminal reaches the lab, which stops Redis last. @defaultValue false */
  detached?: boolean;
  /** Environment of the server (its PATH is where `redis-server` is looked for). @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** How long it may take to answer PING. @defaultValue 10 s */
  startTimeoutMs?: number;
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Process id of the running server (undefined while stopped). */
  readonly pid: number | undefined;
  /** Starts the server (again) on the same port; resolves when it answers PING. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM, the way a Redis restart looks to clients); resolves when it has exited. */
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LAB_HOST, port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** Starts a private Redis. Throws `RedisServerNotFoundError` when there is no `redis-server` on the PATH. */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'quorumdns-redis-'));
  if (!ownDir) mkdirSync(dir, { recursive: true });
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    const persistence = options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
    const args = ['--port', String(port), '--bind', LAB_HOST, '--dir', dir, ...persistence];
    args.push('--loglevel', 'warning', ...(options.logFile ? ['--logfile', options.logFile] : []));
    const proc = spawn('redis-server', args, {
      stdio: 'ignore',
      detached: options.detached ?? false,
      env: options.env ?? process.env,
    });
    child = proc;
    let spawnError: NodeJS.ErrnoException | undefined;
    proc.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    exited = new Promise((resolve) => proc.once('close', () => resolve()));
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (await ping(port)) return;
      // A spawn failure also sets an exit code (-2 for ENOENT): look at the error first, it says more.
      if (spawnError !== undefined) {
        child = undefined;
        if (spawnError.code === 'ENOENT') throw new RedisServerNotFoundError();
        throw new LabError(`redis-server could not be started: ${spawnError.message}`, 'EREDIS');
      }
      if (proc.exitCode !== null) {
        child = undefined;
        throw new LabError(
          `redis-server exited with code ${proc.exitCode} on port ${port}${options.logFile ? ` (log: ${options.logFile})` : ''}`,
          'EREDIS',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    proc.kill('SIGKILL');
    child = undefined;
    throw new LabError(
      `redis-server on port ${port} did not answer within ${startTimeoutMs / 1000} s`,
      'EREDIS',
    );
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };

  try {
    await start();
  } catch (error) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `redis://${LAB_HOST}:${port}`,
    get pid() {
      return child?.pid;
    },
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
