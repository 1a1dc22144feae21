/**
 * The one read of an evaluation against the real Redis: what it returns, what it skips (probe-side junk counts
 * as unknown), what it refuses (a corrupt record), and the parse reuse keyed by the stored text.
 */
import { CorruptStateError } from '../../src/evaluator/errors';
import { type ParsedInputs, readEvaluationInputs } from '../../src/evaluator/evaluation-inputs';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { NO_RECORD } from '../../src/evaluator/service-record';
import { StateStore } from '../../src/evaluator/state-store';
import { opinionField } from '../../src/redis/keys';
import { firstDecisionRecord, ProbeSide, testRedis, waitFor } from './support/fixtures';

const fixture = testRedis('inputs');
const { redis, keys } = fixture;
const probes = new ProbeSide(redis, keys);
const states = new StateStore(redis, keys);

afterAll(() => fixture.dispose());

/** Commits a first record for `service` (as an evaluation would), so there is a state to read back. */
async function commitFirstRecord(service: string): Promise<void> {
  const record = firstDecisionRecord(service, 1, await redisTimeMs(redis));
  expect((await states.commit(service, NO_RECORD, record, [])).outcome).toBe('committed');
}

test('reads the clock, opinions, heartbeat ages, record, overrides and drill in one go', async () => {
  await probes.setOpinions('all', ['a1', 'a2'], ['r1', 'r2'], 'up');
  await probes.setOpinions('all', ['b1'], ['r3'], 'down');
  await probes.beat();
  await commitFirstRecord('all');
  const before = await redisTimeMs(redis);

  const inputs = await readEvaluationInputs(redis, keys, 'all');

  expect(inputs.now).toBeGreaterThanOrEqual(before);
  expect(inputs.opinions).toEqual({
    a1: { r1: 'up', r2: 'up' },
    a2: { r1: 'up', r2: 'up' },
    b1: { r3: 'down' },
  });
  expect(Object.keys(inputs.heartbeatAges).sort()).toEqual(['r1', 'r2', 'r3']);
  for (const age of Object.values(inputs.heartbeatAges)) expect(age).toBeGreaterThanOrEqual(0);
  expect(inputs.previous?.record.generation).toBe(1);
  expect(inputs.previous?.version).toBe(1);
  expect(inputs.overrides).toEqual([]);
  expect(inputs.drill).toBeUndefined();
  expect(inputs.skipped).toEqual([]);
});

test('a service never evaluated has no previous record, no opinions and no overrides', async () => {
  const inputs = await readEvaluationInputs(redis, keys, 'nobody');
  expect(inputs.previous).toBeUndefined();
  expect(inputs.opinions).toEqual({});
  expect(inputs.overrides).toEqual([]);
});

test('probe-side junk is skipped and reported, never fatal; fields named __proto__ or constructor pollute nothing', async () => {
  const opinions = keys.service('junk').opinions;
  await redis.hset(
    opinions,
    opinionField('a1', 'r1'),
    'up',
    opinionField('a2', 'r1'),
    'sideways',
    'no-separator',
    'up',
    opinionField('__proto__', 'polluted'),
    'up',
    opinionField('constructor', 'polluted'),
    'up',
  );
  // A drill key of the wrong type only costs the drill tag.
  await redis.hset(keys.service('junk').drill, 'not', 'a string');

  const inputs = await readEvaluationInputs(redis, keys, 'junk');

  expect(inputs.opinions.a1).toEqual({ r1: 'up' });
  expect(inputs.opinions.a2).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(inputs.drill).toBeUndefined();
  const problems = inputs.skipped.join('\n');
  expect(problems).toContain(`${opinions} "a2\\tr1": opinion "sideways" is not up/down/unknown`);
  expect(problems).toContain(`${opinions} "no-separator": not <endpoint>\\t<region>`);
  expect(problems).toMatch(/drill overlay cannot be read: WRONGTYPE/);
});

test('an unreadable heartbeat counts as none, and says so', async () => {
  const heartbeats = keys.heartbeats;
  await redis.hset(heartbeats, 'r9', '{not json');
  try {
    const inputs = await readEvaluationInputs(redis, keys, 'beats');
    expect(inputs.heartbeatAges.r9).toBeUndefined();
    expect(inputs.skipped).toContain(`${heartbeats} r9: heartbeat has no numeric "time"`);
  } finally {
    await redis.hdel(heartbeats, 'r9');
  }
});

test('evaluations asking together share one heartbeats read, each with its own clock', async () => {
  await probes.beat();
  const monitor = await redis.monitor();
  const heartbeatReads: string[] = [];
  const seen = new Set<string>();
  monitor.on('monitor', (_time: string, args: string[]) => {
    // The script's calls (HGETALL inside it) show too: count the script calls.
    const command = args[0]?.toLowerCase();
    if ((command === 'evalsha' || command === 'eval') && args.includes(keys.heartbeats)) {
      heartbeatReads.push(args.join(' '));
    }
    if (args[0]?.toLowerCase() === 'echo' && args[1] !== undefined) seen.add(args[1]);
  });
  /** Everything sent before the marker has been executed (MONITOR streams in execution order). */
  const settled = async (marker: string) => {
    await redis.echo(marker);
    await waitFor(async () => seen.has(marker) || undefined, { what: `MONITOR to show ${marker}` });
  };
  try {
    await settled('before');
    heartbeatReads.length = 0;
    const [first, second] = await Promise.all([
      readEvaluationInputs(redis, keys, 'together-1'),
      readEvaluationInputs(redis, keys, 'together-2'),
    ]);
    await settled('together');
    expect(heartbeatReads).toHaveLength(1);

    // Ages are measured on each evaluation's own Redis clock reading.
    for (const inputs of [first, second]) {
      expect(Object.keys(inputs.heartbeatAges).sort()).toEqual(['r1', 'r2', 'r3']);
    }
    const beat = first.now - (first.heartbeatAges.r1 as number);
    expect(second.now - (second.heartbeatAges.r1 as number)).toBe(beat);

    // One turn later is another read: nobody gets a reply older than its own round trip.
    await readEvaluationInputs(redis, keys, 'together-1');
    await settled('apart');
    expect(heartbeatReads).toHaveLength(2);
  } finally {
    monitor.disconnect();
  }
});

test('parses are reused while the stored text is the same, and redone when it changes', async () => {
  await probes.setOpinions('reuse', ['a1'], ['r1', 'r2'], 'up');
  await commitFirstRecord('reuse');
  const reuse: ParsedInputs = {};

  const first = await readEvaluationInputs(redis, keys, 'reuse', reuse);
  const second = await readEvaluationInputs(redis, keys, 'reuse', reuse);
  expect(second.opinions).toBe(first.opinions);
  expect(second.previous?.record.state).toBe(first.previous?.record.state);

  await probes.setOpinions('reuse', ['a1'], ['r2'], 'down');
  const third = await readEvaluationInputs(redis, keys, 'reuse', reuse);
  expect(third.opinions).not.toBe(first.opinions);
  expect(third.opinions).toEqual({ a1: { r1: 'up', r2: 'down' } });
  // The parse of an unchanged record is still shared.
  expect(third.previous?.record.state).toBe(first.previous?.record.state);
});

test('a corrupt record is refused naming key and field, also after a good one was cached', async () => {
  await commitFirstRecord('corrupt');
  const key = keys.service('corrupt').state;
  const reuse: ParsedInputs = {};
  await readEvaluationInputs(redis, keys, 'corrupt', reuse);

  const stored = JSON.parse((await redis.hget(key, 'state')) as string) as { pools: Record<string, unknown> };
  stored.pools.a = { verdict: 'sideways', eligible: true, failbackAfter: 2000 };
  await redis.hset(key, 'state', JSON.stringify(stored));

  const read = readEvaluationInputs(redis, keys, 'corrupt', reuse);
  await expect(read).rejects.toThrow(CorruptStateError);
  await expect(readEvaluationInputs(redis, keys, 'corrupt', reuse)).rejects.toMatchObject({
    code: 'ECORRUPTSTATE',
    key,
    field: 'state.pools.a.verdict',
  });

  // With the state put right, a damaged counter is named too.
  stored.pools.a = { verdict: 'up', eligible: true, failbackAfter: 2000 };
  await redis.hset(key, 'state', JSON.stringify(stored), 'generation', 'two');
  await expect(readEvaluationInputs(redis, keys, 'corrupt', reuse)).rejects.toMatchObject({
    code: 'ECORRUPTSTATE',
    key,
    field: 'generation',
  });
});

test('an opinions key of the wrong type fails the evaluation with Redis own words', async () => {
  await redis.set(keys.service('wrongtype').opinions, 'not a hash');
  await expect(readEvaluationInputs(redis, keys, 'wrongtype')).rejects.toThrow(/WRONGTYPE/);
});
