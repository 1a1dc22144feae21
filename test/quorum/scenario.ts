import type { Service } from '../../src/config/types';
import { decide } from '../../src/quorum/decide';
import type {
  CoreOutput,
  Decision,
  HeartbeatAges,
  Opinion,
  OpinionMatrix,
  Override,
  ServiceState,
} from '../../src/quorum/types';

/** Every endpoint of the service, every configured region, one opinion. */
export function uniformOpinions(service: Service, opinion: Opinion): OpinionMatrix {
  const matrix: OpinionMatrix = {};
  for (const pool of service.pools) {
    for (const endpoint of pool.endpoints) {
      matrix[endpoint.id] = Object.fromEntries(service.probeRegions.map((region) => [region, opinion]));
    }
  }
  return matrix;
}

/** A copy of `matrix` where `regions` (default: all) hold `opinion` of every endpoint of `pool`. */
export function withPool(
  service: Service,
  matrix: OpinionMatrix,
  pool: string,
  opinion: Opinion,
  regions: readonly string[] = service.probeRegions,
): OpinionMatrix {
  const copy: OpinionMatrix = JSON.parse(JSON.stringify(matrix)) as OpinionMatrix;
  const found = service.pools.find((candidate) => candidate.name === pool);
  if (!found) throw new Error(`no pool ${pool}`);
  for (const endpoint of found.endpoints) {
    const row = (copy[endpoint.id] ??= {});
    for (const region of regions) row[region] = opinion;
  }
  return copy;
}

/** A copy of `matrix` where `regions` hold `opinion` of one endpoint. */
export function withEndpoint(
  service: Service,
  matrix: OpinionMatrix,
  endpoint: string,
  opinion: Opinion,
  regions: readonly string[] = service.probeRegions,
): OpinionMatrix {
  const copy: OpinionMatrix = JSON.parse(JSON.stringify(matrix)) as OpinionMatrix;
  const row = (copy[endpoint] ??= {});
  for (const region of regions) row[region] = opinion;
  return copy;
}

export function liveHeartbeats(service: Service, age = 1_000): HeartbeatAges {
  return Object.fromEntries(service.probeRegions.map((region) => [region, age]));
}

export interface Step {
  opinions: OpinionMatrix;
  /** Default: every configured region live. */
  heartbeats?: HeartbeatAges;
  overrides?: Override[];
  /** Absolute time; default: previous time + 10 s. */
  at?: number;
}

/** Drives `decide` over successive evaluations, carrying the state like the evaluator does. */
export class Scenario {
  state: ServiceState | undefined;
  now: number;
  readonly outputs: CoreOutput[] = [];

  constructor(
    readonly service: Service,
    start = Date.UTC(2026, 0, 1),
  ) {
    this.now = start - 10_000;
  }

  evaluate(step: Step): CoreOutput {
    this.now = step.at ?? this.now + 10_000;
    const output = decide({
      service: this.service,
      opinions: step.opinions,
      heartbeatAges: step.heartbeats ?? liveHeartbeats(this.service),
      previous: this.state,
      overrides: step.overrides ?? [],
      now: this.now,
    });
    this.state = output.state;
    this.outputs.push(output);
    return output;
  }
}

/** pool -> weight, for terse assertions. */
export function weights(decision: Decision): Record<string, number> {
  return Object.fromEntries(decision.pools.map((pool) => [pool.pool, pool.weight]));
}

/** The pools that get traffic. */
export function serving(decision: Decision): string[] {
  return decision.pools
    .filter((pool) => pool.weight > 0 && pool.endpoints.length > 0)
    .map((pool) => pool.pool);
}
