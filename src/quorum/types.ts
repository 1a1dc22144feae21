/**
 * Inputs and outputs of the pure decision core (`decide.ts`).
 *
 * Everything here is plain JSON-serialisable data, so the evaluator can store
 * `ServiceState` in Redis as it is and feed it back on the next evaluation.
 * Times are epoch milliseconds measured on the Redis server clock by the caller.
 */
import type { Millis, Severity } from '../config/types';

export type Opinion = 'up' | 'down' | 'unknown';

export type Verdict = 'up' | 'down' | 'unknown';

/** endpoint id -> probe region -> what that region currently believes. Missing = unknown. */
export type OpinionMatrix = Record<string, Record<string, Opinion>>;

/** probe region -> age of its freshest heartbeat in ms (Redis clock). Missing = never seen (stale). */
export type HeartbeatAges = Record<string, Millis>;

export type Override =
  | { kind: 'freeze'; id: string; by: string; reason: string; createdAt: number; expiresAt?: number }
  | {
      kind: 'force-pool';
      id: string;
      pool: string;
      /** `out`: drain the pool whatever the quorum says; `in`: keep it serving whatever the quorum says. */
      direction: 'in' | 'out';
      by: string;
      reason: string;
      createdAt: number;
      expiresAt?: number;
    };

/** How one probe region's vote on one endpoint was counted. */
export type VoteStatus = Opinion | 'stale' | 'suspect';

export interface EndpointExplanation {
  endpoint: string;
  pool: string;
  votes: Record<string, VoteStatus>;
  /** The quorum needed (a region count). */
  needed: number;
  verdict: Verdict;
  /** True when the votes reached no quorum and the previous verdict was kept. */
  held: boolean;
}

export interface PoolState {
  verdict: Verdict;
  /** Eligible to receive traffic (the policy chooses among eligible pools). Drained = not eligible. */
  eligible: boolean;
  /** Since when the verdict has been continuously `up` (undefined when not up). */
  upSince?: number;
  drainedAt?: number;
  restoredAt?: number;
  /** The failbackAfter in force for the next restore (doubled by flap damping, reset after a quiet flapWindow). */
  failbackAfter: Millis;
}

export interface PoolAnswer {
  pool: string;
  /** Failover: 1 for the serving pool, 0 for the others. Weighted: the configured weight or 0. */
  weight: number;
  /** The endpoints of this pool that the answer contains (all-healthy: only up ones). */
  endpoints: string[];
}

/** The desired DNS answer of a service. */
export interface Decision {
  /** Every pool of the service, in config order, with its weight (0 = gets no traffic). */
  pools: PoolAnswer[];
}

export type RuleName =
  | 'quorum'
  | 'policy'
  | 'fail-open'
  | 'max-drained-pools'
  | 'failback-delay'
  | 'failback-manual'
  | 'flap-damping'
  | 'freeze'
  | 'override'
  | 'suspect-region'
  | 'stale-region';

export type EventKind =
  | 'endpoint-verdict'
  | 'pool-verdict'
  | 'pool-drained'
  | 'pool-restored'
  | 'decision-changed'
  | 'fail-open'
  | 'fail-open-cleared'
  | 'drain-clamped'
  | 'flap-damped'
  | 'freeze-held'
  | 'override-active'
  | 'override-expired'
  | 'suspect-region'
  | 'suspect-region-cleared'
  | 'region-stale'
  | 'region-live';

export interface CoreEvent {
  kind: EventKind;
  severity: Severity;
  service: string;
  pool?: string;
  endpoint?: string;
  region?: string;
  rule?: RuleName;
  /** One sentence a person can read in a chat message or a terminal. */
  message: string;
  at: number;
}

export interface ServiceState {
  endpoints: Record<string, Verdict>;
  pools: Record<string, PoolState>;
  decision: Decision;
  /** The last decision that served at least one endpoint (fail-open falls back to it). */
  lastGoodDecision: Decision;
  failOpen: boolean;
  suspectRegions: string[];
  staleRegions: string[];
  /** Pools the quorum says are down but a safety rule keeps serving, by rule (so events fire once per entry). */
  held: Partial<Record<RuleName, string[]>>;
  /** Ids of the overrides in force at the last evaluation (to report their expiry once). */
  activeOverrides: string[];
  /** Time of the evaluation that produced this state. */
  evaluatedAt: number;
}

export interface CoreInput {
  service: import('../config/types').Service;
  opinions: OpinionMatrix;
  heartbeatAges: HeartbeatAges;
  previous: ServiceState | undefined;
  overrides: Override[];
  now: number;
}

export interface Explanation {
  endpoints: EndpointExplanation[];
  /** Short lines a person reads top to bottom: which rule fired, why each pool is where it is. */
  lines: string[];
  rules: RuleName[];
}

export interface CoreOutput {
  state: ServiceState;
  /** True when `state.decision` differs from the previous decision (a new generation is due). */
  changed: boolean;
  events: CoreEvent[];
  explanation: Explanation;
}
