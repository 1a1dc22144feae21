/**
 * The one interface every DNS provider implements. It is deliberately small (external-dns's
 * provider.go): read, apply one atomic batch, ask for a change's status. Plans, dry-run, batching, retries,
 * ownership, verification and fencing are shared (src/providers/*.ts) and never re-implemented per adapter.
 *
 * Adapters translate SDK errors into the typed errors of `provider-errors.ts` so the shared layer can tell
 * transient from permanent failures without knowing any SDK.
 */
import type { SteeringMode } from '../config/types';
import type {
  BatchLimits,
  ChangeStatus,
  ReadRequest,
  RecordChange,
  RecordSet,
  SubmittedChange,
} from './record-set';

/** How a provider expresses provider-native weights (`weights` mode). */
export type WeightedStyle =
  /** One record set per pool: same name and type, `setIdentifier` = pool name, `weight` (Route 53). */
  | 'set-per-pool'
  /** One record set whose `wrr` holds one item per pool (Cloud DNS `routingPolicy.wrr`). */
  | 'items-in-set';

export interface ProviderCapabilities {
  /** Steering modes the provider supports. */
  modes: SteeringMode[];
  /** Only meaningful when `modes` includes `weights`. */
  weightedStyle: WeightedStyle;
  /** Can serve Route 53 alias targets. */
  alias: boolean;
  /** The provider's documented per-request limits (config may lower them). */
  limits: BatchLimits;
  /**
   * How `update` changes count against the limits: Route 53 UPSERT counts twice (2); Cloud DNS sends the
   * deletion and the addition, each counted once against its own list (1 per list).
   */
  updateCost: number;
  /** Documented API rate limit, requests per second (config `requestsPerSecond` may lower it). */
  requestsPerSecond: number;
  /** Whether changes have a sync status worth waiting for (Route 53 PENDING -> INSYNC, Cloud DNS pending -> done). */
  hasSyncStatus: boolean;
}

export interface DnsProviderAdapter {
  /** Provider type, for messages: `route53`, `clouddns`, `local`. */
  readonly type: string;
  /** The provider's name in the config (`providers.<name>`). */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /**
   * Every record set (any type, any set identifier) at the requested names, in provider order. Names with
   * no record sets are simply absent. Reads all pages.
   */
  read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]>;
  /**
   * Applies one batch atomically (all or nothing). The batch is already within `capabilities.limits`.
   * Throws a `ProviderError` subclass on failure; never partially applies.
   */
  apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange>;
  /** Status of a submitted change. Adapters without sync status return `in-sync`. */
  changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus>;
  /** Releases clients and sockets. */
  close(): Promise<void>;
}
