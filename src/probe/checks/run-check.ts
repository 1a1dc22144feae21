import type { LookupFunction } from 'node:net';
import type { Check } from '../../config/types';
import type { CheckResult } from '../check-result';
import type { CheckContext } from './check-context';
import { failed, judgeLatencyBudget, toCheckResult, type CheckVerdict } from './check-outcome';
import { classifyError } from './classify-error';
import type { ConnectViaMap } from './connect-via';
import { CheckDeadline } from './deadline';
import { runDnsCheck } from './dns-check';
import { runHttpCheck } from './http-check';
import { runTcpCheck } from './tcp-check';

export interface RunCheckOptions {
  /**
   * Resolved header values (the worker resolves secret refs once at load; you get plain strings).
   * They override literal `check.headers` of the same name (case-insensitive); secret references in
   * `check.headers` are only sent when resolved here.
   */
  headers?: Record<string, string>;
  /** Worker shutdown: aborts the in-flight check promptly (class `timeout`, detail `aborted`). */
  signal?: AbortSignal;
  /** Monotonic millisecond clock for latency. Default `performance.now`. */
  now?: () => number;
  /**
   * Host name lookup for http/tcp checks whose `host` is a name. Default: Node's `dns.lookup`
   * (getaddrinfo). Lets tests fail a lookup without asking a real resolver, and lets a worker cache lookups.
   */
  lookup?: LookupFunction;
  /**
   * Lab/test only (`quorumdns probe --via`): when a check targets one of these `host:port`s, connect to the
   * mapped address instead; the Host header and TLS server name stay those of the target.
   */
  connectVia?: ConnectViaMap;
}

const defaultNow = (): number => performance.now();

/**
 * Runs one check against its endpoint and judges the answer. Never rejects: every failure, including
 * unexpected ones, becomes a `CheckResult` with a failure class. Leaves no socket or timer behind.
 */
export async function runCheck(check: Check, options: RunCheckOptions = {}): Promise<CheckResult> {
  const now = options.now ?? defaultNow;
  let startedAt = 0;
  let deadline: CheckDeadline | undefined;
  const elapsedMs = (): number => now() - startedAt;
  try {
    startedAt = now();
    deadline = new CheckDeadline(check.timeout, options.signal);
    const context: CheckContext = {
      deadline,
      headers: options.headers,
      lookup: options.lookup,
      connectVia: options.connectVia,
    };
    const verdict = await runByType(check, context);
    // One clock reading decides both the reported latency and the budget, so they can never disagree.
    const latencyMs = elapsedMs();
    const budget = check.type === 'http' || check.type === 'https' ? check.latencyBudget : undefined;
    return toCheckResult(judgeLatencyBudget(verdict, latencyMs, budget), latencyMs);
  } catch (error) {
    // A bug or a hostile input must cost one failed check, never the worker.
    const classified = classifyError(error);
    return toCheckResult(failed(classified.failureClass, classified.detail), safeElapsed(elapsedMs));
  } finally {
    deadline?.dispose();
  }
}

function runByType(check: Check, context: CheckContext): Promise<CheckVerdict> {
  switch (check.type) {
    case 'http':
    case 'https':
      return runHttpCheck(check, context);
    case 'tcp':
      return runTcpCheck(check, context);
    case 'dns':
      return runDnsCheck(check, context);
    default: {
      const unknownType: unknown = (check as { type?: unknown }).type;
      return Promise.resolve(failed('status', `unknown check type ${JSON.stringify(unknownType)}`));
    }
  }
}

function safeElapsed(elapsedMs: () => number): number {
  try {
    const value = elapsedMs();
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}
