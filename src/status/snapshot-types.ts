/**
 * The stable JSON shape of `quorumdns status --json` (schemaVersion 1), documented field by field in
 * docs/operations.md. Scripts depend on it: fields may be ADDED in version 1, never renamed, removed or
 * retyped (that would be schemaVersion 2). Absent facts are `null`, never missing keys, so `jq` filters
 * do not need `//` guards for every field.
 */
import type { Quorum, RecordType, RoutingPolicy, SteeringMode } from '../config/types';
import type { SyncState } from '../providers/applied-target';
import type { StoredEvent } from '../evaluator/service-record';
import type { Decision, Override, PoolStatus, RuleName, Verdict } from '../quorum/types';
import type { StoredOpinion } from '../redis/keys';

export const STATUS_SCHEMA_VERSION = 1;

export interface StatusSnapshot {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  /** Redis server time (epoch ms) the snapshot was read at: every age in it is measured against this. */
  generatedAt: number;
  deployment: {
    id: string;
    keyPrefix: string;
    /** `Config.hash` of the config the snapshot was read with. */
    configHash: string;
  };
  /** In service name order (or the one service asked for). */
  services: ServiceStatus[];
}

export interface ServiceStatus {
  service: string;
  dnsNames: string[];
  recordType: RecordType;
  policy: RoutingPolicy;
  quorum: Quorum;
  /** ms; a probe region whose heartbeat is older is stale for this service. */
  staleAfter: number;
  /** False until an evaluator committed a first record for the service ("not evaluated yet"). */
  evaluated: boolean;
  record: RecordStatus | null;
  /** Every configured pool, in config order. */
  pools: PoolStatusView[];
  /** Every configured probe region of the service, in config order. */
  regions: RegionStatusView[];
  /** Every configured endpoint, in config order: the endpoints × probe regions matrix. */
  endpoints: EndpointStatusView[];
  /** Overrides in force (expired ones are never shown), oldest first. */
  overrides: OverrideView[];
  /** The drill overlay of the service, when a drill is running. */
  drill: DrillView | null;
  /** The newest events of the service, oldest first. */
  events: StoredEvent[];
  /**
   * Every configured provider target, in config order: what reached DNS there. Added in version 1 (optional
   * for readers of older snapshots; always present in new ones).
   */
  targets?: ProviderTargetStatus[];
  /**
   * Values in Redis that could not be understood (corrupt record, heartbeat or observation), each naming
   * the key. Status still shows everything else: during an incident a partial picture beats none.
   */
  problems: string[];
}

export interface RecordStatus {
  /** Decision generation (0 = the configured answer, nothing applied yet). */
  generation: number;
  /** Redis ms when this generation's decision was made. */
  decidedAt: number;
  /** Redis ms of the last evaluation. */
  evaluatedAt: number;
  evaluatedBy: string;
  configHash: string;
  /** False when the evaluator that committed the record ran another config than this command. */
  configCurrent: boolean;
  /** The published decision: every pool in config order with its weight (0 = no traffic) and endpoints. */
  decision: Decision;
  /** Pools that get traffic (weight above 0 and at least one endpoint), in decision order. */
  serving: string[];
  /** No pool was healthy: the last known good answer is kept (a critical condition). */
  failOpen: boolean;
  /** Regions the core discounted as sick at the last evaluation. */
  suspectRegions: string[];
  explanation: {
    /** Redis ms of the evaluation the explanation belongs to (the last committed one). */
    evaluatedAt: number;
    lines: string[];
    rules: RuleName[];
  };
}

export interface PoolStatusView {
  pool: string;
  priority: number;
  /** The configured weight (the weighted policy's share when healthy). */
  configuredWeight: number;
  /** The pool verdict at the last committed evaluation; null before the first one. */
  verdict: Verdict | null;
  /** Where the pool stands (eligible, drained, failback-wait, forced-out, ...); null before the first evaluation. */
  status: PoolStatus | null;
  /** Weight in the published decision; null before the first evaluation. */
  weight: number | null;
  /** For `failback-wait`: ms until the pool is restored if it stays up, measured at the last evaluation. */
  failbackIn: number | null;
  upCount: number | null;
  downCount: number | null;
  unknownCount: number | null;
  /** minHealthy as an endpoint count. */
  minHealthy: number | null;
  /** The explanation's sentence about this pool. */
  line: string | null;
}

export type RegionLivenessStatus = 'live' | 'stale';

export interface RegionStatusView {
  region: string;
  /** From the heartbeat age on the Redis clock vs the service's staleAfter, at `generatedAt`. */
  status: RegionLivenessStatus;
  /** The core discounted this region's votes as sick at the last evaluation. */
  suspect: boolean;
  /** ms since the region's freshest heartbeat; null when it never sent one. */
  heartbeatAge: number | null;
  lastHeartbeatAt: number | null;
  /** Worker that sent the freshest heartbeat. */
  worker: string | null;
  version: string | null;
  /** The config hash the region's freshest worker runs; differs from the deployment's during a rollout. */
  configHash: string | null;
}

export interface OpinionCell {
  /** What the region believes of the endpoint (`unknown` when it never said). */
  opinion: StoredOpinion;
  /** The region is stale for this service: its opinion is not counted. */
  stale: boolean;
  /** Signed streak: +n consecutive successful checks, -n consecutive failures; null when never checked. */
  streak: number | null;
  /** Redis ms when the newest observation was recorded; null when never checked. */
  lastCheckAt: number | null;
  /** Result of the newest check; null when never checked. */
  lastOk: boolean | null;
  /** Failure class of the newest check when it failed (timeout, refused, status, tls, ...). */
  failureClass: string | null;
  /** Short failure detail of the newest check when it failed. */
  detail: string | null;
  latencyMs: number | null;
  /** The newest check's result was forced by a drill overlay. */
  drill: boolean;
}

export interface EndpointStatusView {
  endpoint: string;
  pool: string;
  /** The DNS value it contributes: an address, a CNAME target or an alias DNS name. */
  target: string;
  /** The quorum verdict at the last committed evaluation; null before the first one. */
  verdict: Verdict | null;
  /** probe region -> cell, for every configured region of the service. */
  opinions: Record<string, OpinionCell>;
}

export type OverrideView = Override & {
  /** ms until it expires on its own (null: no expiry, which the CLI never writes). */
  remainingMs: number | null;
};

export interface DrillView {
  key: string;
  /** ms until the overlay expires on its own; null when it has no expiry. */
  ttlMs: number | null;
  /** The overlay as stored: parsed JSON for a string value, field -> value for a hash. */
  value: unknown;
}

/** What the apply processor recorded for one provider target of a service. */
export interface ProviderTargetStatus {
  provider: string;
  /** `route53`, `clouddns`, `local`; null when the provider is not in the config. */
  providerType: string | null;
  zone: string;
  mode: SteeringMode;
  /** Last decision generation applied and in sync there; null when nothing was ever applied. */
  appliedGeneration: number | null;
  /** The service's decision generation (0 before the first evaluation). */
  decisionGeneration: number;
  /** The target holds the current decision (applied generation >= decision generation). */
  current: boolean;
  /** pending, in-sync, failed, dry-run; null when no apply was ever attempted. */
  syncState: SyncState | null;
  /** Change ids of the last apply that changed something. */
  changeIds: string[];
  /** Generation of the latest attempt when it is not the applied one (pending, failed, dry-run). */
  attemptedGeneration: number | null;
  /** The latest attempt's error (syncState failed), with the provider's own code when it sent one. */
  error: { code: string; message: string; remoteCode: string | null } | null;
  /** Redis ms of the last status write, and of the last confirmed apply. */
  updatedAt: number | null;
  appliedAt: number | null;
}
