/**
 * Property tests of the safety rules (issue 2, invariants 3 to 6): never an empty answer, restore
 * slow, drain fast unless a named rule holds, bounded DNS changes under flapping. Set
 * QUORUM_PROPERTY_RUNS to run more cases.
 */
import fc from 'fast-check';
import { sameDecision, servesAnything } from '../../src/quorum/decision-shape';
import type { Decision, Opinion, OpinionMatrix } from '../../src/quorum/types';
import {
  Coverage,
  arbScenario,
  arbService,
  concreteSteps,
  propertyParams as params,
  runSequence,
  type ConcreteStep,
} from './arbitraries';

const serves = (decision: Decision, pool: string): boolean =>
  decision.pools.some((answer) => answer.pool === pool && answer.weight > 0 && answer.endpoints.length > 0);

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

describe('invariant 4: a drained pool is restored only after its (possibly damped) failbackAfter of continuous health, or early when no other pool could serve', () => {
  /**
   * The exception, stated precisely: a drained pool may be restored before its failbackAfter (or,
   * with failback: manual, without an operator) only by early failback, i.e. at an evaluation where
   * - its verdict is up (continuously since after its drain) and no override decides it, and
   * - no pool but those restored early at that evaluation could serve: each other pool is out
   *   (drained or forced out) or, in weighted, weighs 0; and
   * - the pool restored early carries traffic in the computed answer, so fail-open is not used.
   * Checked here from the states, independently of how the core finds the candidates.
   */
  it('never restores early unless no other pool could serve, and never automatically with failback: manual otherwise', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(
        arbScenario(arbService(), { minLength: 40, maxLength: 80, calm: true }),
        ({ service, raw, spans }) => {
          const steps = concreteSteps(service, raw, spans);
          const outputs = runSequence(service, steps);
          const upRunStart = new Map<string, number>();
          const drainedAt = new Map<string, number>();
          outputs.forEach((output, i) => {
            const now = steps[i]?.now ?? 0;
            const before = outputs[i - 1]?.state;
            const { state } = output;
            const earlyEvents = new Set(
              output.events
                .filter((event) => event.kind === 'pool-restored' && event.rule === 'early-failback')
                .map((event) => event.pool ?? ''),
            );
            // Pools restored early at this evaluation, found from the states alone.
            const restoredEarly: string[] = [];
            for (const pool of service.pools) {
              const poolState = state.pools[pool.name];
              if (!poolState) throw new Error(`no state for ${pool.name}`);
              const wasEligible = before?.pools[pool.name]?.eligible ?? true;
              // A restore is announced when it changes the effective eligibility: not under a force-out
              // (its end is announced then), nor after a force-in (the pool was serving already).
              const announced = poolState.forced === undefined && before?.pools[pool.name]?.forced !== 'in';
              // Measured here from the verdict sequence, independently of the core's upSince.
              if (poolState.verdict !== 'up') upRunStart.delete(pool.name);
              else if (!upRunStart.has(pool.name)) upRunStart.set(pool.name, now);
              if (wasEligible && !poolState.eligible) drainedAt.set(pool.name, now);
              if (!poolState.eligible && poolState.verdict === 'up' && service.safety.failback === 'manual') {
                coverage.hit('a manual pool waiting');
              }
              if (wasEligible || !poolState.eligible || poolState.forced === 'in') continue;

              // An automatic restore: verdict up, continuously since after the drain.
              const upFor = now - (upRunStart.get(pool.name) ?? Infinity);
              expect(poolState.verdict).toBe('up');
              expect(upRunStart.get(pool.name) ?? -Infinity).toBeGreaterThanOrEqual(
                drainedAt.get(pool.name) ?? -Infinity,
              );
              const slowRestore = service.safety.failback === 'auto' && upFor >= poolState.failbackAfter;
              if (slowRestore) {
                coverage.hit('an automatic restore');
                if (poolState.failbackAfter > service.safety.failbackAfter) coverage.hit('a damped restore');
                expect(earlyEvents.has(pool.name)).toBe(false);
                if (announced) {
                  expect(output.events).toContainEqual(
                    expect.objectContaining({
                      kind: 'pool-restored',
                      pool: pool.name,
                      rule: 'failback-delay',
                    }),
                  );
                }
                continue;
              }

              // Early: only by early failback, only with no override, announced as such.
              coverage.hit('an early failback');
              if (service.safety.failback === 'manual') coverage.hit('an early failback of a manual pool');
              expect(poolState.forced).toBeUndefined();
              expect(earlyEvents.has(pool.name)).toBe(announced);
              expect(poolState.restoredAt).toBe(now);
              restoredEarly.push(pool.name);
            }
            if (restoredEarly.length === 0) return;
            // ... and only when no other pool could serve: the early ones carry the computed answer
            // (no fail-open), every other pool is out or, in weighted, weighs 0.
            const computed = state.withheldDecision ?? state.decision;
            for (const pool of restoredEarly) expect(serves(computed, pool)).toBe(true);
            expect(state.failOpen).toBe(false);
            for (const other of service.pools) {
              if (restoredEarly.includes(other.name)) continue;
              const otherState = state.pools[other.name];
              const out =
                otherState?.forced === 'out' ||
                (otherState?.forced !== 'in' && otherState?.eligible === false);
              const weighsNothing = service.policy === 'weighted' && other.weight === 0;
              expect(out || weighsNothing).toBe(true);
            }
          });
        },
      ),
      params,
    );
    coverage.expectSeen(
      'an automatic restore',
      'a damped restore',
      'a manual pool waiting',
      'an early failback',
      'an early failback of a manual pool',
    );
  });

  it('fails open only when no pool the quorum says is up could serve', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(arbScenario(arbService(), { minLength: 10 }, 4), ({ service, raw, spans }) => {
        for (const output of runSequence(service, concreteSteps(service, raw, spans))) {
          if (!output.state.failOpen) continue;
          coverage.hit('fail-open');
          for (const pool of service.pools) {
            const poolState = output.state.pools[pool.name];
            const couldServe = service.policy !== 'weighted' || pool.weight > 0;
            // Not counted: a pool forced out, or (in weighted) one that weighs nothing.
            if (poolState?.forced === 'out' || !couldServe) continue;
            expect(poolState?.verdict).not.toBe('up');
          }
        }
      }),
      params,
    );
    coverage.expectSeen('fail-open');
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
            if (serves(output.state.decision, pool.name)) {
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
          const restoredBy = output.events.find(
            (event) => event.kind === 'pool-restored' && event.pool === flapping,
          )?.rule;
          const restored = restoredBy !== undefined;
          const failbackAfter = output.state.pools[flapping]?.failbackAfter ?? 0;
          if (drained) lastDrain = at;
          if (restoredBy === 'early-failback') {
            // Only when no other pool could serve: here the others are always up, so only when they
            // weigh 0 — and then fail-open was already serving the flapping pool: no DNS change.
            coverage.hit('an early failback');
            expect(service.policy).toBe('weighted');
            expect(output.changed && i > 0).toBe(false);
            return;
          }
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
