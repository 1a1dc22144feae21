import type { Service } from '../config/types';
import type { EligibilityUpdate } from './eligibility';
import type { FreezeResult } from './freeze';
import type { ActiveOverrides } from './overrides';
import type { PoolVerdict } from './pool-verdicts';
import type { RegionLiveness } from './region-liveness';
import type { SuspectRegion } from './suspect-regions';
import type {
  Decision,
  EndpointExplanation,
  HeartbeatAges,
  Override,
  RegionStatus,
  ServiceState,
} from './types';

/** Everything one evaluation found, step by step: the raw material of its events and explanation. */
export interface EvaluationFacts {
  service: Service;
  now: number;
  /** The previous state (the initial state on the first evaluation). */
  previous: ServiceState;
  firstEvaluation: boolean;
  /** The configured regions, deduplicated, in config order. */
  regions: string[];
  /** The quorum as a region count. */
  needed: number;
  heartbeatAges: HeartbeatAges;
  liveness: RegionLiveness;
  suspects: SuspectRegion[];
  regionStatus: Record<string, RegionStatus>;
  endpoints: EndpointExplanation[];
  poolVerdicts: PoolVerdict[];
  overrides: ActiveOverrides;
  /** The overrides as given (expired ones included), to describe the ones that just ended. */
  givenOverrides: readonly Override[];
  eligibility: EligibilityUpdate;
  failOpen: boolean;
  /** After fail-open, before freeze. */
  computed: Decision;
  freeze: FreezeResult;
  state: ServiceState;
  changed: boolean;
}
