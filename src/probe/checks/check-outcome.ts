import type { CheckResult, FailureClass } from '../check-result';
import { CheckAbortedError, type CheckStopReason } from './deadline';

/** `CheckResult.detail` is documented as at most 200 characters: it travels to Redis and chat messages. */
export const MAX_DETAIL_LENGTH = 200;

/** A verdict before its latency is known. Check implementations produce these; `runCheck` stamps the latency. */
export type CheckVerdict = { ok: true } | { ok: false; failureClass: FailureClass; detail: string };

export const PASSED: CheckVerdict = { ok: true };

export function failed(failureClass: FailureClass, detail: string): CheckVerdict {
  return { ok: false, failureClass, detail: truncateDetail(detail) };
}

/**
 * The verdict of a check stopped by its deadline or by the caller.
 * @param timeoutDetail - the detail when the deadline expired, e.g. `no answer within 2000 ms (waiting for response)`;
 *   an abort by the caller always reads `aborted`.
 */
export function stoppedVerdict(reason: CheckStopReason, timeoutDetail: string): CheckVerdict {
  return failed('timeout', reason instanceof CheckAbortedError ? 'aborted' : timeoutDetail);
}

/** An ok answer slower than the budget fails with class `latency`; failures keep their own class. */
export function judgeLatencyBudget(
  verdict: CheckVerdict,
  latencyMs: number,
  budgetMs: number | undefined,
): CheckVerdict {
  if (!verdict.ok || budgetMs === undefined || latencyMs <= budgetMs) return verdict;
  return failed('latency', `answered in ${Math.round(latencyMs)} ms (budget ${budgetMs} ms)`);
}

export function toCheckResult(verdict: CheckVerdict, latencyMs: number): CheckResult {
  // 0.1 ms is finer than any decision needs and keeps the stored JSON short.
  const rounded = Math.max(0, Math.round(latencyMs * 10) / 10);
  return verdict.ok
    ? { ok: true, latencyMs: rounded }
    : { ok: false, failureClass: verdict.failureClass, detail: verdict.detail, latencyMs: rounded };
}

export function truncateDetail(detail: string): string {
  const oneLine = detail.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_DETAIL_LENGTH ? oneLine : `${oneLine.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

/** Quotes a value for a detail line, shortened so that the detail stays readable. */
export function quoteForDetail(value: unknown, maxLength = 40): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
