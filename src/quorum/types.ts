/**
 * Inputs and outputs of the pure decision core (`decide.ts`).
 *
 * Everything here is plain JSON-serialisable data, so the evaluator can store
 * `ServiceState` in Redis as it is and feed it back on the next evaluation.
 * Times are epoch milliseconds measured on the Redis server clock by the caller.
 * Optional fields are omitted, never set to `undefined`, so a JSON round trip of
 * the state is lossless.
 */
import type { Millis, Service, Severity } from '../config/types';

export type Opinion = 'up' | 'down' | 'unknown';

export type Verdict = 'up' | 'down' | 'unknown';

/** endpoint id -> probe region -> what that region currently believes. Missing = unknown. */
export type OpinionMatrix = Record<string, Record<string, Opinion>>;

/** probe region -> age of its freshest heartbeat in ms (Redis clock). Missing = never seen (stale). */
export type HeartbeatAges = Record<string, Millis>;

export interface FreezeOverride {
  kind: 'freeze';
  id: string;
  by: string;
  reason: string;
  createdAt: number;
  /** The override is ignored from this time on (`now >= expiresAt`). */
  expiresAt?: number;
}

export interface ForcePoolOverride {
  kind: 'force-pool';
  id: string;
  pool: string;
  /** `out`: drain the pool whatever the quorum says; `in`: keep it serving whatever the quorum says. */
  direction: 'in' | 'out';
  by: string;
  reason: string;
  createdAt: number;
  /** The override is ignored from this time on (`now >= expiresAt`). */
  expiresAt?: number;
}

export type Override = FreezeOverride | ForcePoolOverride;

/** How one probe region's vote on one endpoint was counted. */
export type VoteStatus = Opinion | 'stale' | 'suspect';

export interface EndpointExplanation {
  endpoint: string;
  pool: string;
  /** Every configured probe region, in config order. */
  votes: Record<string, VoteStatus>;
  /** Counted votes (stale and suspect regions are not counted). */
  upVotes: number;
  downVotes: number;
  /** The quorum needed (a region count). */
  needed: number;
  verdict: Verdict;
  /** True when the votes reached no quorum and the previous verdict was kept. */
  held: boolean;
}

export interface PoolState {
  verdict: Verdict;
  /**
   * The automatic eligibility: what the quorum and the safety rules decided, before operator
   * force-pool overrides. Drained = not eligible. A force-out leaves this bookkeeping alone, so an
   * expired override hands the pool back to the automation in the state it would have reached; a
   * force-in defers the pool's drain until it ends, and counts as the failback while the verdict is up.
   */
  eligible: boolean;
  /** The force-pool override in force at this evaluation, if any: the effective eligibility is `forced === 'in'`. */
  forced?: 'in' | 'out';
  /** Since when the verdict has been continuously `up` (absent when not up). */
  upSince?: number;
  drainedAt?: number;
  restoredAt?: number;
  /** The failbackAfter in force for the next restore (doubled by flap damping, reset after a quiet flapWindow). */
  failbackAfter: Millis;
}

export interface PoolAnswer {
  pool: string;
  /** Failover: 1 for the serving pool, 0 for the others. Weighted: the configured weight or 0. All-healthy: 1 or 0. */
  weight: number;
  /**
   * The endpoints of this pool the answer contains when the pool gets traffic. A pool with weight 0
   * lists all its endpoints (the values a provider-native weighted record keeps at weight 0);
   * an all-healthy pool that serves lists only its endpoints not known to be down.
   */
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
  /** A drained pool that is up was restored before its failbackAfter because no other pool could serve. */
  | 'early-failback'
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
  /** Set on override events. */
  override?: string;
  /** One sentence a person can read in a chat message or a terminal. */
  message: string;
  at: number;
}

export interface ServiceState {
  endpoints: Record<string, Verdict>;
  pools: Record<string, PoolState>;
  /** The published decision (after every safety rule, including freeze). Never serves nothing. */
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
  /** While a freeze withholds a computed decision: that decision (so `freeze-held` fires once per new difference). */
  withheldDecision?: Decision;
  /** Time of the evaluation that produced this state. */
  evaluatedAt: number;
}

export interface CoreInput {
  service: Service;
  opinions: OpinionMatrix;
  heartbeatAges: HeartbeatAges;
  previous: ServiceState | undefined;
  /** The overrides stored for this service (expired ones included: the core ignores them). */
  overrides: Override[];
  now: number;
}

export type RegionStatus = 'live' | 'stale' | 'suspect';

export interface RegionExplanation {
  region: string;
  status: RegionStatus;
  /** Absent when the region never sent a heartbeat. */
  heartbeatAge?: Millis;
}

/** Where a pool stands, from the operator's point of view. */
export type PoolStatus =
  /** Eligible; gets traffic when its weight is above 0 (failover standby pools are eligible with weight 0). */
  | 'eligible'
  /** Drained by the quorum; its verdict is not up. */
  | 'drained'
  /** Drained; up again and waiting for its failbackAfter. */
  | 'failback-wait'
  /** Drained; up again, but `failback: manual` waits for an operator. */
  | 'failback-manual'
  /** The quorum says down, but maxDrainedPools keeps it eligible. */
  | 'held'
  | 'forced-in'
  | 'forced-out';

/** What the pool's endpoint verdicts say of the pool (minHealthy applied). */
export interface PoolVerdict {
  pool: string;
  verdict: Verdict;
  /** True when no rule of the pool verdict applied and the previous pool verdict was kept. */
  held: boolean;
  upCount: number;
  downCount: number;
  unknownCount: number;
  /** minHealthy as an endpoint count. */
  minHealthy: number;
}

export interface PoolExplanation extends PoolVerdict {
  status: PoolStatus;
  /** Weight in the published decision. */
  weight: number;
  /** For `failback-wait`: ms until the pool is restored if it stays up. */
  failbackIn?: Millis;
  /** A sentence saying why the pool is where it is. */
  line: string;
}

export interface Explanation {
  service: string;
  evaluatedAt: number;
  regions: RegionExplanation[];
  endpoints: EndpointExplanation[];
  pools: PoolExplanation[];
  /** Short lines a person reads top to bottom: which rule fired, why each pool is where it is. */
  lines: string[];
  /** The rules that shaped this evaluation, in a fixed order. */
  rules: RuleName[];
}

export interface CoreOutput {
  state: ServiceState;
  /** True when `state.decision` differs from the previous decision (a new generation is due); true on the first evaluation. */
  changed: boolean;
  events: CoreEvent[];
  explanation: Explanation;
}
