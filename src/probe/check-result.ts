/**
 * What one check of one endpoint found. Produced by `src/probe/checks/*`, recorded into
 * Redis by the recorder, and the raw material of opinions.
 */

/** Why a check failed. Stable strings: they appear in Redis, metrics and notifications. */
export type FailureClass =
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'dns'
  | 'tls'
  | 'status'
  | 'body'
  | 'latency'
  /** Not a check: a drill overlay reports the endpoint's pool as failing (src/probe/drill-overlay-reader.ts). */
  | 'drill';

export interface CheckResult {
  ok: boolean;
  /** Set when `ok` is false. */
  failureClass?: FailureClass;
  /** A short human detail: `HTTP 503`, `connect ECONNREFUSED 127.0.0.1:8080`, `body lacks "ok"`. At most 200 chars. */
  detail?: string;
  /** Wall time of the check in ms (until the verdict, including body read when one is needed). */
  latencyMs: number;
}

/** A check result with where and when it was taken: one observation. */
export interface Observation extends CheckResult {
  service: string;
  endpoint: string;
  region: string;
  /** Epoch ms when the check started (probe clock; the quorum never compares it across regions). */
  startedAt: number;
  /** True when a drill overlay forced this result. */
  drill?: boolean;
}
