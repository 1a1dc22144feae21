/**
 * The whole path in one process, as `quorumdns evaluate` runs it: probe opinions in Redis -> the evaluator's
 * decision and generation -> the apply job -> the apply worker -> DNS at the provider (a memory provider) ->
 * the applied status and the `dns-applied` event, shown by `quorumdns status`.
 */
import { Registry } from 'prom-client';
import { Evaluator } from '../../../src/evaluator/evaluator';
import { EventLog } from '../../../src/evaluator/event-log';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { AppliedStore } from '../../../src/providers/applied-store';
import { readStatusSnapshot } from '../../../src/status/status-snapshot';
import { ProbeSide } from '../../evaluator/support/fixtures';
import { waitFor } from '../../support/wait-for';
import {
  answerOf,
  applyConfig,
  applyRedis,
  applyService,
  FAST_SYNC,
  MEMORY_ZONE,
  newMemory,
  POOL_ADDRESS,
  SHARED_REDIS_URL,
} from './support/apply-fixture';

const fixture = applyRedis('e2e');
const { redis, keys, prefix } = fixture;
const service = applyService('shop', ['mem']);
const config = applyConfig(prefix, [service], ['mem']);
const memory = newMemory('mem');
const probe = new ProbeSide(redis, keys);
const applied = new AppliedStore(redis, keys);
const states = new StateStore(redis, keys);
const registry = new Registry();
let evaluator: Evaluator;

beforeAll(async () => {
  probe.startBeating();
  await probe.setOpinions('shop', ['a1', 'b1'], ['r1', 'r2', 'r3'], 'up');
  evaluator = await Evaluator.start({
    config,
    redisUrl: SHARED_REDIS_URL,
    id: 'e2e-evaluator',
    tickMs: 200,
    logger: memoryLogger(),
    registry,
    apply: { createAdapter: () => memory, sync: FAST_SYNC },
  });
});

afterAll(async () => {
  probe.stop();
  await evaluator?.close();
  await fixture.dispose();
});

async function appliedAt(generation: number) {
  return waitFor(
    async () => {
      const status = await applied.read('shop', 'mem', MEMORY_ZONE);
      return status?.generation === generation && status.syncState === 'in-sync' ? status : undefined;
    },
    { what: `generation ${generation} applied at mem`, timeoutMs: 20_000 },
  );
}

test('a failover decision reaches DNS through the apply queue, and status shows it', async () => {
  // First evaluation: everything up, pool `a` serves (generation 1).
  await appliedAt(1);
  expect(answerOf(memory, 'shop.example.com')).toEqual([POOL_ADDRESS.a]);

  // The quorum sees pool `a` down: the evaluator moves to `b`, the apply worker follows.
  await probe.setOpinions('shop', ['a1'], ['r1', 'r2', 'r3'], 'down');
  const status = await appliedAt(2);
  expect(answerOf(memory, 'shop.example.com')).toEqual([POOL_ADDRESS.b]);
  expect((await states.read('shop'))?.generation).toBe(2);
  expect(status.changeIds).toHaveLength(1);

  const stream = await new EventLog(redis, keys).read({ services: ['shop'] });
  const appliedEvents = stream.filter((event) => event.kind === 'dns-applied');
  expect(appliedEvents.map((event) => event.generation)).toEqual([1, 2]);
  expect(appliedEvents[1]?.message).toMatch(
    /^shop\.example\.com A at local mem\/example\.com: 192\.0\.2\.10 -> 198\.51\.100\.20 \(change C\d+/,
  );
  // The decision came first, then its application.
  const decided = stream.findIndex((event) => event.kind === 'decision-changed' && event.generation === 2);
  expect(decided).toBeGreaterThanOrEqual(0);
  expect(stream.indexOf(appliedEvents[1] as (typeof stream)[number])).toBeGreaterThan(decided);

  const snapshot = await readStatusSnapshot({ redis, keys, config, services: [service], eventCount: 0 });
  expect(snapshot.services[0]?.targets).toEqual([
    expect.objectContaining({
      appliedGeneration: 2,
      decisionGeneration: 2,
      current: true,
      syncState: 'in-sync',
      changeIds: status.changeIds,
    }),
  ]);
  // The evaluator's readiness includes the apply worker; its metrics are in the evaluator's registry.
  expect(await evaluator.readiness()).toEqual({ ready: true, reasons: [] });
  expect(await registry.metrics()).toMatch(
    /quorumdns_applied_generation\{service="shop",provider="mem",zone="example.com"\} 2/,
  );
});
