/**
 * A fault-injecting TCP proxy on a loopback address, to put network trouble in ONE probe region's path
 * (`quorumdns probe --via <target>=<proxy>`) without root: `tc netem` is not available here, and loopback
 * needs no namespaces.
 *
 * Modes, switchable at run time (`setMode`); the mode is consulted on every accept and every chunk, so a
 * switch also affects connections already open:
 * - `pass`      forward both ways unchanged;
 * - `blackhole` accept the connection and never answer: nothing is forwarded (a connection accepted in this
 *               mode never even reaches the target), the client waits until its own deadline. A kernel-level
 *               SYN drop cannot be reproduced on loopback without root, so a `tcp` check (connect only) passes
 *               through a blackhole: use http(s) checks to see it;
 * - `reset`     answer with a TCP RST (`socket.resetAndDestroy()`), at once for new connections, and to every
 *               open connection at the moment of the switch;
 * - `slow`      forward, but delay each chunk by `slowDelayMs` (order kept), in both directions.
 *
 * ```ts
 * const proxy = await startFaultProxy({ target: { host: '127.0.1.1', port: 8080 }, host: '127.0.2.1' });
 * // probe r1 with: --via 127.0.1.1:8080=${proxy.address}
 * proxy.setMode('blackhole');
 * ```
 */
import net from 'node:net';
import { loopbackHost } from './loopback';

export type FaultMode = 'pass' | 'blackhole' | 'reset' | 'slow';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  /** Where `pass` and `slow` forward to (loopback only). */
  target: ProxyTarget;
  /** Loopback address to listen on (127.x.y.z or ::1). @defaultValue 127.0.0.1 */
  host?: string;
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** @defaultValue 'pass' */
  mode?: FaultMode;
  /** Delay of each chunk in `slow` mode. @defaultValue 1000 */
  slowDelayMs?: number;
}

export interface FaultProxyStats {
  /** Connections accepted, in any mode. */
  accepted: number;
  /** Connections accepted per mode in force at the accept. */
  acceptedIn: Record<FaultMode, number>;
  /** Connections answered with a reset (at accept, or at a switch to `reset`). */
  resets: number;
  /** Bytes the client sent that were not forwarded (blackhole). */
  droppedBytes: number;
  /** Bytes forwarded, both directions. */
  forwardedBytes: number;
  /** Connections open now. */
  open: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** `host:port` (IPv6 in brackets): the right-hand side of a `--via`. */
  readonly address: string;
  readonly mode: FaultMode;
  /** Switches the mode (and optionally the slow delay) for new and open connections. */
  setMode(mode: FaultMode, options?: { slowDelayMs?: number }): void;
  stats(): FaultProxyStats;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const MODES: readonly FaultMode[] = ['pass', 'blackhole', 'reset', 'slow'];

/** One client connection and, unless it was accepted into a blackhole, its upstream connection. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** Chunks in `slow` mode are sent no earlier than this (keeps each direction in order). */
  nextSendAt: { toUpstream: number; toClient: number };
  /** The writes (and ends) queued in each direction, in order. */
  queued: { toUpstream: Promise<void>; toClient: Promise<void> };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const host = loopbackHost(options.host);
  const target: ProxyTarget = { host: loopbackHost(options.target.host), port: options.target.port };
  let mode: FaultMode = checkedMode(options.mode ?? 'pass');
  let slowDelayMs = checkedDelay(options.slowDelayMs ?? 1000);
  const pairs = new Set<Pair>();
  const timers = new Set<NodeJS.Timeout>();
  const stats: Omit<FaultProxyStats, 'open'> = {
    accepted: 0,
    acceptedIn: { pass: 0, blackhole: 0, reset: 0, slow: 0 },
    resets: 0,
    droppedBytes: 0,
    forwardedBytes: 0,
  };

  const reset = (socket: net.Socket | undefined): void => {
    if (socket === undefined || socket.destroyed) return;
    // A socket that is still connecting has no handle to reset; destroying it is all there is.
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  };

  const resetPair = (pair: Pair): void => {
    stats.resets += 1;
    reset(pair.client);
    reset(pair.upstream);
    pairs.delete(pair);
  };

  /** Sends `chunk` from one side to the other as the current mode says. */
  const forward = (pair: Pair, chunk: Buffer, toUpstream: boolean): void => {
    const destination = toUpstream ? pair.upstream : pair.client;
    if (mode === 'reset') {
      resetPair(pair);
      return;
    }
    if (mode === 'blackhole' || destination === undefined) {
      stats.droppedBytes += chunk.length;
      return;
    }
    const source = toUpstream ? pair.client : pair.upstream;
    if (mode === 'pass') {
      write(destination, source, chunk);
      return;
    }
    const key = toUpstream ? 'toUpstream' : 'toClient';
    const sendAt = Math.max(Date.now() + slowDelayMs, pair.nextSendAt[key]);
    pair.nextSendAt[key] = sendAt;
    // Chained, not just timed: two timers due in the same millisecond may fire in either order, and an end
    // queued behind this chunk must never overtake it (the client would see the close before the answer).
    pair.queued[key] = pair.queued[key]
      .then(() => waitUntil(sendAt))
      .then(() => write(destination, source, chunk));
  };

  const waitUntil = (at: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          resolve();
        },
        Math.max(0, at - Date.now()),
      );
      timers.add(timer);
    });

  const write = (destination: net.Socket, source: net.Socket | undefined, chunk: Buffer): void => {
    if (destination.destroyed) return;
    stats.forwardedBytes += chunk.length;
    // Backpressure: a slow reader pauses the side that feeds it.
    if (!destination.write(chunk)) {
      source?.pause();
      destination.once('drain', () => source?.resume());
    }
  };

  /** Runs `action` once every chunk queued in that direction has been written. */
  const afterQueued = (pair: Pair, key: keyof Pair['nextSendAt'], action: () => void): void => {
    pair.queued[key] = pair.queued[key].then(action);
  };

  const server = net.createServer((client) => {
    stats.accepted += 1;
    stats.acceptedIn[mode] += 1;
    client.on('error', () => undefined);
    if (mode === 'reset') {
      stats.resets += 1;
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = {
      client,
      upstream: undefined,
      nextSendAt: { toUpstream: 0, toClient: 0 },
      queued: { toUpstream: Promise.resolve(), toClient: Promise.resolve() },
    };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole') {
      // Read and drop what the client sends, so it never blocks on a full window; answer nothing.
      client.on('data', (chunk: Buffer) => {
        stats.droppedBytes += chunk.length;
      });
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port });
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    // A close follows the data queued before it (in slow mode, after the delayed chunks).
    upstream.on('close', () => afterQueued(pair, 'toClient', () => client.end()));
    client.on('end', () => afterQueued(pair, 'toUpstream', () => upstream.end()));
    client.on('data', (chunk: Buffer) => forward(pair, chunk, true));
    upstream.on('data', (chunk: Buffer) => forward(pair, chunk, false));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });

  return {
    host,
    port,
    address: formatAddress(host, port),
    get mode() {
      return mode;
    },
    setMode(next, modeOptions = {}) {
      mode = checkedMode(next);
      if (modeOptions.slowDelayMs !== undefined) slowDelayMs = checkedDelay(modeOptions.slowDelayMs);
      if (mode === 'reset') for (const pair of [...pairs]) resetPair(pair);
    },
    stats: () => ({ ...stats, acceptedIn: { ...stats.acceptedIn }, open: pairs.size }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream?.destroy();
        }
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}

function checkedMode(mode: FaultMode): FaultMode {
  if (!MODES.includes(mode))
    throw new Error(`fault proxy mode must be one of ${MODES.join(', ')}, got ${String(mode)}`);
  return mode;
}

function checkedDelay(delayMs: number): number {
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new Error(`fault proxy slowDelayMs must be a non-negative number, got ${delayMs}`);
  }
  return delayMs;
}
