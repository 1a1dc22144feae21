/**
 * What the evaluator keeps per service in Redis, and what `quorumdns status` shows: the core's state, the
 * decision generation and the explanation of the last committed evaluation.
 */
import type { CoreEvent, Decision, EventKind, Explanation, ServiceState } from '../quorum/types';

export interface ServiceRecord {
  /** The decision core's state (verdicts, pool bookkeeping, the published decision). */
  state: ServiceState;
  /**
   * Decision generation. 0 = the configured answer, nothing applied yet (no record at all reads as 0);
   * +1 exactly when the published decision changes. Apply jobs carry it (fencing).
   */
  generation: number;
  /** Redis ms when this generation's decision was made. */
  decidedAt: number;
  /** Redis ms of the last evaluation, committed or only touched. */
  evaluatedAt: number;
  /**
   * Explanation of the last COMMITTED evaluation (one that changed the state or produced events). Evaluations
   * that change nothing only move `evaluatedAt`: writing a fresh explanation every tick for every service
   * would cost more than the evaluation itself.
   */
  explanation: Explanation;
  /** `Config.hash` of the evaluator that committed it. */
  configHash: string;
  /** Id of the evaluator that committed it (`--id`, default `<hostname>:<pid>`). */
  evaluatedBy: string;
}

/** A record with its compare-and-set version (+1 on every commit, whether or not the generation moved). */
export interface VersionedServiceRecord {
  record: ServiceRecord;
  version: number;
}

/** What an evaluation needs of the stored record: everything but the (large) explanation. */
export type RecordWithoutExplanation = Omit<ServiceRecord, 'explanation'>;

/** The expected position of a commit; for a service never evaluated: `{ generation: 0, version: 0 }`. */
export interface RecordPosition {
  generation: number;
  version: number;
}

export const NO_RECORD: RecordPosition = Object.freeze({ generation: 0, version: 0 });

/** Events written by operator commands, not by the core. */
export const OPERATOR_EVENT_KINDS = ['override-set', 'override-removed'] as const;
export type OperatorEventKind = (typeof OPERATOR_EVENT_KINDS)[number];

/**
 * Events written by the apply processor (src/providers/): a generation reached a provider target (or not).
 * `dns-applied` carries `target`, `changeId` and the DNS answer before/after; `dns-apply-failed` the error.
 */
export const APPLY_EVENT_KINDS = ['dns-applied', 'dns-apply-failed'] as const;
export type ApplyEventKind = (typeof APPLY_EVENT_KINDS)[number];

/**
 * Events written by drills (src/drill/): start and end of a drill, with its id and mode, and an operator's
 * `drill stop` (who stopped it; written whether or not the drill's runner is still alive to report itself).
 */
export const DRILL_EVENT_KINDS = ['drill-started', 'drill-ended', 'drill-stopped'] as const;
export type DrillEventKind = (typeof DRILL_EVENT_KINDS)[number];

/** Every kind the events stream may hold. */
export type StoredEventKind = EventKind | OperatorEventKind | ApplyEventKind | DrillEventKind;

/** What changed in DNS at one provider target (on `dns-applied` / `dns-apply-failed` events). */
export interface DnsChangeSummary {
  /** `<provider>/<zone>`. */
  target: string;
  /** The answer before and after, one line per record set, e.g. `api.example.com A 192.0.2.10`. */
  before: string[];
  after: string[];
  changeId?: string;
  /** Error code and the provider's message (failures). */
  error?: { code: string; message: string };
  /**
   * On `dns-applied`: the target's previous apply had failed, so this one clears that failure (and is routed
   * like it: a pager channel that was told of the failure is told it is over).
   */
  recovered?: true;
}

/** One event as stored in a service's events stream: a core event (or an operator event) plus audit fields. */
export interface StoredEvent extends Omit<CoreEvent, 'kind'> {
  kind: StoredEventKind;
  /** Stream entry id (`<redis ms>-<seq>`), unique within the service's stream. */
  id: string;
  /** The generation of the decision in force after this event. */
  generation: number;
  /** Set on events caused by a drill: every notification of a drill says so. */
  drill?: boolean;
  /** Who caused it (operator events: `--by` or the OS user; evaluator events: the evaluator id). */
  by?: string;
  /** Why (operator events). */
  reason?: string;
  /** On `decision-changed` events: the explanation lines of the decision (the audit log shows why). */
  explanation?: string[];
  /**
   * On `decision-changed` events: the published decision before (absent on a service's first evaluation)
   * and after, so a notification can say what DNS will answer without reading the state.
   */
  decision?: { before?: Decision; after: Decision };
  /** On apply events: what changed at the provider target. */
  dns?: DnsChangeSummary;
  /** On drill events: the drill's id and mode. */
  drillRun?: { id: string; mode: 'dry' | 'live' };
}

/** An event before it has a stream id. */
export type StoredEventInput = Omit<StoredEvent, 'id'>;
