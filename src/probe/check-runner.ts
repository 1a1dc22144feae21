import type { Check } from '../config/types';
import type { CheckResult } from './check-result';

/** Options the scheduler passes to a check (the contract of `runCheck` in src/probe/checks/run-check.ts). */
export interface CheckRunOptions {
  /** Header values with secret references already resolved. */
  headers?: Record<string, string>;
  /** Aborted when a shutdown's grace period is over: the check ends at once with class `timeout`. */
  signal?: AbortSignal;
}

/** Runs one check. Must never reject and must end within `check.timeout` (the scheduler relies on both). */
export type CheckRunner = (check: Check, options?: CheckRunOptions) => Promise<CheckResult>;
