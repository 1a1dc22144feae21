/**
 * fast-check generators for the decision core's property tests: random services (2–4 pools,
 * 1–3 endpoints, 3–5 regions) and random evaluation sequences (opinion matrices, heartbeats,
 * time steps, overrides), plus a runner that carries the state like the evaluator does.
 */
import fc from 'fast-check';
import type { MinHealthy, Quorum, RoutingPolicy, Service } from '../../src/config/types';
import { decide } from '../../src/quorum/decide';
import type {
  CoreOutput,
  HeartbeatAges,
  Opinion,
  OpinionMatrix,
  Override,
  ServiceState,
} from '../../src/quorum/types';
import { buildService } from './service-builder';

export const t0 = Date.UTC(2026, 0, 1);
const allRegions = ['us-east-1', 'europe-west1', 'onprem-fra', 'ap-south-1', 'sa-east-1'];
const poolNames = ['aws-use1', 'gcp-euw1', 'onprem', 'azure-weu'];

export interface ServiceOptions {
  quorum?: fc.Arbitrary<Quorum>;
  failback?: fc.Arbitrary<'auto' | 'manual'>;
  maxDrainedPools?: fc.Arbitrary<number | undefined>;
}

const anyQuorum: fc.Arbitrary<Quorum> = fc.oneof(
  fc.constant<Quorum>('majority'),
  fc.constant<Quorum>('all'),
  fc.constant<Quorum>('any'),
  fc.integer({ min: 1, max: 5 }).map<Quorum>((k) => ({ atLeast: k })),
);

const minHealthy: fc.Arbitrary<MinHealthy> = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map<MinHealthy>((count) => ({ kind: 'count', count })),
  fc.integer({ min: 1, max: 100 }).map<MinHealthy>((percent) => ({ kind: 'percent', percent })),
);

export function arbService(options: ServiceOptions = {}): fc.Arbitrary<Service> {
  return fc
    .record({
      regionCount: fc.integer({ min: 3, max: 5 }),
      pools: fc.array(
        fc.record({
          endpoints: fc.integer({ min: 1, max: 3 }),
          priority: fc.integer({ min: 1, max: 3 }),
          weight: fc.integer({ min: 0, max: 3 }),
          minHealthy,
        }),
        { minLength: 2, maxLength: 4 },
      ),
      policy: fc.constantFrom<RoutingPolicy>('failover', 'weighted', 'all-healthy'),
      quorum: options.quorum ?? anyQuorum,
      failback: options.failback ?? fc.constantFrom<'auto' | 'manual'>('auto', 'auto', 'auto', 'manual'),
      failbackAfter: fc.integer({ min: 1, max: 6 }).map((n) => n * 10_000),
      flapWindow: fc.integer({ min: 0, max: 30 }).map((n) => n * 10_000),
      dampingCap: fc.integer({ min: 1, max: 8 }),
      maxDrainedPools:
        options.maxDrainedPools ?? fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    })
    .map((shape) =>
      buildService({
        regions: allRegions.slice(0, shape.regionCount),
        policy: shape.policy,
        quorum: shape.quorum,
        staleAfter: 30_000,
        pools: shape.pools.map((pool, index) => ({ name: poolNames[index] ?? `pool-${index}`, ...pool })),
        safety: {
          failback: shape.failback,
          failbackAfter: shape.failbackAfter,
          flapWindow: shape.flapWindow,
          maxFailbackAfter: shape.failbackAfter * shape.dampingCap,
          maxDrainedPools: shape.maxDrainedPools,
        },
      }),
    );
}

/** Time between evaluations: repeated (0), scheduler-like ticks, or long gaps. */
export const arbTimeStep: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 60 }).map((s) => s * 1_000), weight: 6 },
  { arbitrary: fc.integer({ min: 1, max: 900_000 }), weight: 2 },
);

const arbOpinion = fc.constantFrom<Opinion>('up', 'down', 'unknown');

/** A cell: usually what the pool really is (so outages last), sometimes one region's noise. */
function arbCell(noiseWeight: number): fc.Arbitrary<Opinion | 'truth'> {
  return fc.oneof(
    { arbitrary: fc.constant<'truth'>('truth'), weight: 8 },
    { arbitrary: arbOpinion, weight: noiseWeight },
  );
}

/** A heartbeat age: usually live, sometimes stale, sometimes never seen. */
const arbHeartbeat: fc.Arbitrary<number | null> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 30_000 }), weight: 8 },
  { arbitrary: fc.integer({ min: 30_001, max: 600_000 }), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);

export interface RawStep {
  dt: number;
  /** Per pool: keep the previous truth, or switch to this one. */
  truth: Array<Opinion | 'keep'>;
  /** Per endpoint (config order) per region (config order). */
  cells: Array<Opinion | 'truth'>;
  heartbeats: Array<number | null>;
}

export interface StepOptions {
  minLength?: number;
  maxLength?: number;
  /** Fewer truth changes and less noise: long outages and recoveries (restores, damping). */
  calm?: boolean;
}

export function arbRawSteps(service: Service, options: StepOptions = {}): fc.Arbitrary<RawStep[]> {
  const { minLength = 1, maxLength = 40, calm = false } = options;
  const endpointCount = service.pools.reduce((sum, pool) => sum + pool.endpoints.length, 0);
  const regionCount = service.probeRegions.length;
  const step = fc.record({
    dt: arbTimeStep,
    truth: fc.array(
      fc.oneof(
        { arbitrary: fc.constant<'keep'>('keep'), weight: calm ? 16 : 6 },
        { arbitrary: fc.constantFrom<Opinion>('up', 'up', 'down', 'down', 'unknown'), weight: 4 },
      ),
      { minLength: service.pools.length, maxLength: service.pools.length },
    ),
    cells: fc.array(arbCell(calm ? 1 : 2), {
      minLength: endpointCount * regionCount,
      maxLength: endpointCount * regionCount,
    }),
    heartbeats: fc.array(arbHeartbeat, { minLength: regionCount, maxLength: regionCount }),
  });
  return fc.array(step, { minLength, maxLength });
}

export interface OverrideSpan {
  override: Override;
  /** Present in the store from this step index (inclusive) to `until` (exclusive). */
  from: number;
  until: number;
}

export function arbOverrideSpans(service: Service, maxCount = 3): fc.Arbitrary<OverrideSpan[]> {
  const pools = [...service.pools.map((pool) => pool.name), 'ghost-pool'];
  const span = fc.record({
    kind: fc.constantFrom('freeze', 'freeze', 'force-pool', 'force-pool', 'force-pool'),
    pool: fc.constantFrom(...pools),
    direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
    createdOffset: fc.integer({ min: 0, max: 600_000 }),
    lifetime: fc.option(fc.integer({ min: 1, max: 900_000 }), { nil: undefined }),
    from: fc.integer({ min: 0, max: 12 }),
    length: fc.integer({ min: 1, max: 30 }),
  });
  return fc.array(span, { maxLength: maxCount }).map((spans) =>
    spans.map((raw, index): OverrideSpan => {
      const base = {
        id: `ov-${index}`,
        by: 'tester',
        reason: 'property test',
        createdAt: t0 + raw.createdOffset,
      };
      const expiry = raw.lifetime === undefined ? {} : { expiresAt: base.createdAt + raw.lifetime };
      const override: Override =
        raw.kind === 'freeze'
          ? { kind: 'freeze', ...base, ...expiry }
          : { kind: 'force-pool', pool: raw.pool, direction: raw.direction, ...base, ...expiry };
      return { override, from: raw.from, until: raw.from + raw.length };
    }),
  );
}

export interface ConcreteStep {
  now: number;
  opinions: OpinionMatrix;
  heartbeats: HeartbeatAges;
  overrides: Override[];
}

/** Turns raw generated steps into decide() inputs. */
export function concreteSteps(service: Service, raw: RawStep[], spans: OverrideSpan[] = []): ConcreteStep[] {
  const regions = service.probeRegions;
  const truths: Opinion[] = service.pools.map(() => 'up');
  let now = t0;
  return raw.map((step, stepIndex) => {
    now += step.dt;
    step.truth.forEach((truth, index) => {
      if (truth !== 'keep') truths[index] = truth;
    });
    const opinions: OpinionMatrix = {};
    let endpointIndex = 0;
    service.pools.forEach((pool, poolIndex) => {
      for (const endpoint of pool.endpoints) {
        const row: Record<string, Opinion> = {};
        regions.forEach((region, regionIndex) => {
          const cell = step.cells[endpointIndex * regions.length + regionIndex] ?? 'truth';
          const opinion = cell === 'truth' ? (truths[poolIndex] ?? 'unknown') : cell;
          if (opinion !== 'unknown') row[region] = opinion;
        });
        opinions[endpoint.id] = row;
        endpointIndex++;
      }
    });
    const heartbeats: HeartbeatAges = {};
    regions.forEach((region, index) => {
      const age = step.heartbeats[index];
      if (age !== null && age !== undefined) heartbeats[region] = age;
    });
    const overrides = spans
      .filter((span) => span.from <= stepIndex && stepIndex < span.until)
      .map((span) => span.override);
    return { now, opinions, heartbeats, overrides };
  });
}

export interface RunOptions {
  /** Store and reload the state as JSON between evaluations, like the evaluator does through Redis. */
  jsonRoundTrip?: boolean;
  /** Deep-freeze every input, so a mutation of the input throws. */
  freezeInputs?: boolean;
}

export function runSequence(
  service: Service,
  steps: readonly ConcreteStep[],
  options: RunOptions = {},
): CoreOutput[] {
  let previous: ServiceState | undefined;
  const outputs: CoreOutput[] = [];
  const frozenService = options.freezeInputs ? deepFreeze(structuredClone(service)) : service;
  for (const step of steps) {
    const input = {
      service: frozenService,
      opinions: step.opinions,
      heartbeatAges: step.heartbeats,
      previous,
      overrides: step.overrides,
      now: step.now,
    };
    const output = decide(options.freezeInputs ? deepFreeze(structuredClone(input)) : input);
    outputs.push(output);
    previous = options.jsonRoundTrip
      ? (JSON.parse(JSON.stringify(output.state)) as ServiceState)
      : output.state;
  }
  return outputs;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** Numbers of runs: enough to find counterexamples, small enough for a fast suite. */
export const propertyRuns = Number(process.env.QUORUM_PROPERTY_RUNS ?? 100);

/**
 * Counts how often the interesting situations occur across a property's runs, so a generator
 * that stops producing them (and makes the property vacuously true) fails the test.
 */
export class Coverage {
  private readonly counts = new Map<string, number>();

  hit(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** Asserts each situation occurred; skipped for tiny run counts (QUORUM_PROPERTY_RUNS=1 while debugging). */
  expectSeen(...situations: string[]): void {
    if (process.env.QUORUM_COVERAGE_REPORT) console.log(Object.fromEntries(this.counts));
    if (propertyRuns < 50) return;
    for (const what of situations) {
      if ((this.counts.get(what) ?? 0) === 0) throw new Error(`the generator never produced: ${what}`);
    }
  }
}

export const propertyParams = { numRuns: propertyRuns };

/** A random service with a random sequence of evaluations, overrides included. */
export const arbScenario = (service = arbService(), steps: StepOptions = {}, maxOverrides = 3) =>
  service.chain((svc) =>
    fc.record({
      service: fc.constant(svc),
      raw: arbRawSteps(svc, steps),
      spans: arbOverrideSpans(svc, maxOverrides),
    }),
  );
