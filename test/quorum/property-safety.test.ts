/**
 * Property tests of the safety rules (issue 2, invariants 3 to 6): never an empty answer, restore
 * slow, drain fast unless a named rule holds, bounded DNS changes under flapping. Set
 * QUORUM_PROPERTY_RUNS to run more cases.
 */
import fc from 'fast-check';
import { sameDecision, servesAnything } from '../../src/quorum/decision-shape';
import type { CoreOutput, Opinion, OpinionMatrix } from '../../src/quorum/types';
import {
  Coverage,
  arbScenario,
  arbService,
  concreteSteps,
  propertyParams as params,
  runSequence,
  type ConcreteStep,
} from './arbitraries';

const serves = (output: CoreOutput, pool: string): boolean =>
  output.state.decision.pools.some(
    (answer) => answer.pool === pool && answer.weight > 0 && answer.endpoints.length > 0,
  );

describe('invariant 3: the answer is never empty', () => {
  it('always serves at least one endpoint and lists every pool in config order', () => {
    fc.assert(
      fc.property(arbScenario(), ({ service, raw, spans }) => {
        for (const output of runSequence(service, concreteSteps(service, raw, spans))) {
          expect(servesAnything(output.state.decision)).toBe(true);
          expect(servesAnything(output.state.lastGoodDecision)).toBe(true);
          expect(output.state.decision.pools.map((pool) => pool.pool)).toEqual(
            service.pools.map((pool) => pool.name),
          );
        }
      }),
      params,
    );
  });
});

describe('invariant 4: a drained pool is restored only after its (possibly damped) failbackAfter of continuous health', () => {
  it('never restores early, and never automatically with failback: manual', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(
        arbScenario(arbService(), { minLength: 40, maxLength: 80, calm: true }),
        ({ service, raw, spans }) => {
          const steps = concreteSteps(service, raw, spans);
          const outputs = runSequence(service, steps);
          for (const pool of service.pools) {
            let upRunStart: number | undefined;
            let drainedAt: number | undefined;
            let wasEligible = true;
            outputs.forEach((output, i) => {
              const now = steps[i]?.now ?? 0;
              const state = output.state.pools[pool.name];
              if (!state) throw new Error(`no state for ${pool.name}`);
              // Measured here from the verdict sequence, independently of the core's upSince.
              upRunStart = state.verdict === 'up' ? (upRunStart ?? now) : undefined;
              if (wasEligible && !state.eligible) drainedAt = now;
              if (!wasEligible && state.eligible && state.forced !== 'in') {
                coverage.hit('an automatic restore');
                if (state.failbackAfter > service.safety.failbackAfter) coverage.hit('a damped restore');
                expect(service.safety.failback).toBe('auto');
                expect(state.verdict).toBe('up');
                expect(upRunStart).toBeDefined();
                expect(now - (upRunStart ?? now)).toBeGreaterThanOrEqual(state.failbackAfter);
                expect(upRunStart ?? 0).toBeGreaterThanOrEqual(drainedAt ?? -Infinity);
                // Announced, unless a force-out hides the restore from traffic (its end is announced then).
                if (state.forced === undefined) {
                  expect(output.events).toContainEqual(
                    expect.objectContaining({
                      kind: 'pool-restored',
                      pool: pool.name,
                      rule: 'failback-delay',
                    }),
                  );
                }
              }
              if (!state.eligible && state.verdict === 'up' && service.safety.failback === 'manual') {
                coverage.hit('a manual pool waiting');
              }
              wasEligible = state.eligible;
            });
          }
        },
      ),
      params,
    );
    coverage.expectSeen('an automatic restore', 'a damped restore', 'a manual pool waiting');
  });
});

describe('invariant 5: a pool the quorum says is down is drained at once, unless a named safety rule holds it', () => {
  it('never serves a down pool without fail-open, maxDrainedPools or freeze, each announced on entry', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(arbScenario(arbService(), { minLength: 10 }, 4), ({ service, raw, spans }) => {
        const outputs = runSequence(service, concreteSteps(service, raw, spans));
        outputs.forEach((output, i) => {
          const previous = outputs[i - 1]?.state;
          const kinds = output.events.map((event) => `${event.kind}:${event.pool ?? ''}`);
          const { state } = output;
          // Each holding rule announces itself when it starts holding.
          if (state.failOpen && !previous?.failOpen) expect(kinds).toContain('fail-open:');
          const clampedBefore = previous?.held['max-drained-pools'] ?? [];
          for (const pool of state.held['max-drained-pools'] ?? []) {
            if (!clampedBefore.includes(pool)) expect(kinds).toContain(`drain-clamped:${pool}`);
          }
          if (
            state.withheldDecision !== undefined &&
            (previous?.withheldDecision === undefined ||
              !sameDecision(previous.withheldDecision, state.withheldDecision))
          ) {
            expect(kinds).toContain('freeze-held:');
          }
          for (const pool of service.pools) {
            const poolState = state.pools[pool.name];
            if (poolState?.verdict !== 'down' || poolState.forced === 'in') continue;
            const clamped = (state.held['max-drained-pools'] ?? []).includes(pool.name);
            // Drained in the bookkeeping at this evaluation, unless maxDrainedPools holds it.
            if (poolState.eligible) expect(clamped).toBe(true);
            // Out of the published answer, unless fail-open, maxDrainedPools or a freeze keeps it there.
            if (serves(output, pool.name)) {
              expect(state.failOpen || clamped || state.withheldDecision !== undefined).toBe(true);
              if (state.failOpen) coverage.hit('a down pool kept by fail-open');
              if (clamped) coverage.hit('a down pool kept by maxDrainedPools');
              if (state.withheldDecision !== undefined) coverage.hit('a down pool kept by a freeze');
            } else {
              coverage.hit('a down pool out of the answer');
            }
          }
        });
      }),
      params,
    );
    coverage.expectSeen(
      'a down pool kept by fail-open',
      'a down pool kept by maxDrainedPools',
      'a down pool kept by a freeze',
      'a down pool out of the answer',
    );
  });
});

describe('invariant 6: a pool flapping forever causes at most two DNS changes per damped failbackAfter', () => {
  it('spaces every restore by the failbackAfter in force, so any three changes span at least that long', () => {
    const coverage = new Coverage();
    const arb = arbService({ quorum: fc.constant('majority'), failback: fc.constant('auto') }).chain(
      (service) =>
        fc.record({
          service: fc.constant(service),
          flapping: fc.constantFrom(...service.pools.map((pool) => pool.name)),
          // Runs of up and down evaluations, so restores (and then damped restores) happen often.
          steps: fc
            .array(
              fc.record({
                up: fc.boolean(),
                count: fc.integer({ min: 1, max: 8 }),
                dt: fc.integer({ min: 0, max: 60_000 }),
              }),
              { minLength: 8, maxLength: 20 },
            )
            .map((runs) =>
              runs.flatMap((run) => Array.from({ length: run.count }, () => ({ dt: run.dt, up: run.up }))),
            ),
        }),
    );
    fc.assert(
      fc.property(arb, ({ service, flapping, steps }) => {
        let now = Date.UTC(2026, 0, 1);
        const concrete: ConcreteStep[] = steps.map((step) => {
          now += step.dt;
          const opinions: OpinionMatrix = {};
          for (const pool of service.pools) {
            const opinion: Opinion = pool.name === flapping && !step.up ? 'down' : 'up';
            for (const endpoint of pool.endpoints) {
              opinions[endpoint.id] = Object.fromEntries(
                service.probeRegions.map((region) => [region, opinion]),
              );
            }
          }
          const heartbeats = Object.fromEntries(service.probeRegions.map((region) => [region, 0]));
          return { now, opinions, heartbeats, overrides: [] };
        });
        const outputs = runSequence(service, concrete);
        const changes: Array<{ at: number; restore?: number }> = [];
        let lastDrain: number | undefined;
        outputs.forEach((output, i) => {
          const at = concrete[i]?.now ?? 0;
          const drained = output.events.some(
            (event) => event.kind === 'pool-drained' && event.pool === flapping,
          );
          const restored = output.events.some(
            (event) => event.kind === 'pool-restored' && event.pool === flapping,
          );
          const failbackAfter = output.state.pools[flapping]?.failbackAfter ?? 0;
          if (drained) lastDrain = at;
          if (restored) {
            // Restored no sooner than the failbackAfter in force after the drain.
            expect(at - (lastDrain ?? -Infinity)).toBeGreaterThanOrEqual(failbackAfter);
          }
          if (i === 0 || !output.changed) return;
          // Every DNS change is the flapping pool being drained or restored.
          expect(drained || restored).toBe(true);
          changes.push(restored ? { at, restore: failbackAfter } : { at });
        });
        for (let i = 0; i + 2 < changes.length; i++) {
          const [first, second, third] = [changes[i], changes[i + 1], changes[i + 2]];
          const bound = second?.restore ?? third?.restore;
          expect(bound).toBeDefined();
          expect((third?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(bound ?? Infinity);
          coverage.hit('three changes');
          if ((bound ?? 0) > service.safety.failbackAfter)
            coverage.hit('three changes around a damped restore');
        }
      }),
      params,
    );
    coverage.expectSeen('three changes', 'three changes around a damped restore');
  });
});
