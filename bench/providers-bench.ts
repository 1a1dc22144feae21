/**
 * Provider benchmark: `npm run bench:providers` (add `-- --write-docs` to update docs/benchmarks.md).
 *
 * Steers 1, 10, 100, 1,000 and 5,000 record sets of one zone through the real Route 53 adapter (the real
 * `@aws-sdk/client-route-53` over HTTP) and the shared sync layer (`syncTarget`: read, plan, batches within
 * the documented limits, rate limiting, retries, wait for INSYNC, verify) against the local Route 53 server
 * (test/providers/route53-server) limited to 5 requests/s, the client configured to the same 5 requests/s.
 * One service with N names (rewrite mode, one A value per pool, no owner records), failover policy; per N:
 *  1. create     the first sync: N CREATEs (each counts once against the 1,000-value limit);
 *  2. steer      the failover: N UPSERTs (each counts twice: 500 per request);
 *  3. throttled  the same failover with Throttling injected on 30% of all requests (seeded), checked with
 *                the server's own counters: every set changed exactly once, all at the new value;
 *  4. baseline   the same failover without batching (one UPSERT per request), measured for N <= 100 and
 *                computed for larger N from the same call pattern at 5 requests/s.
 * Everything runs in this process on loopback; no Redis is involved (syncTarget is what the apply worker
 * runs per job).
 */
import { writeBenchmarksSection } from './benchmarks-doc';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Route53Provider, Service } from '../src/config/types';
import type { Decision } from '../src/quorum/types';
import { createRoute53Adapter } from '../src/providers/route53/route53-adapter';
import { syncTarget, type SyncResult } from '../src/providers/sync-target';
import {
  recordSetKey,
  type Route53Fault,
  startRoute53Server,
  type Route53TestServer,
} from '../test/providers/route53-server';

const args = process.argv.slice(2);
const WRITE_DOCS = args.includes('--write-docs');
function listArg(name: string, fallback: number[]): number[] {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? (args[at + 1] ?? '').split(',').map(Number) : fallback;
}
const SIZES = listArg('sizes', [1, 10, 100, 1000, 5000]);
/** Unbatched runs cost about 2 requests per set at 5/s: measured up to this N, computed beyond. */
const MEASURED_BASELINE_MAX = listArg('baseline-max', [100])[0] ?? 100;
const RATE = 5;
const THROTTLE_PROBABILITY = 0.3;
const POOL_A = '192.0.2.10';
const POOL_B = '198.51.100.20';
/** Route 53's page of ListResourceRecordSets and its per-request value limit (UPSERT counts twice). */
const PAGE = 300;
const UPSERTS_PER_REQUEST = 500;

process.env.AWS_EC2_METADATA_DISABLED = 'true';

interface PhaseResult {
  ok: boolean;
  error?: string;
  ms: number;
  /** Requests the server received, by operation (throttled ones included). */
  requests: Record<string, number>;
  totalRequests: number;
  /** Change batches the server accepted. */
  batches: number;
  throttled: number;
  sync?: SyncResult;
  /** Throttled run: sets changed other than exactly once, and sets not at the new value. */
  changedTwice?: number;
  notChanged?: number;
  wrongValue?: number;
}

interface SizeResult {
  n: number;
  create: PhaseResult;
  steer: PhaseResult;
  /** Throttling on every operation. */
  throttled: PhaseResult;
  /** Throttling on the write path only (ChangeResourceRecordSets, GetChange). */
  throttledWrites: PhaseResult;
  baseline?: PhaseResult;
}

function names(n: number, zone: string): string[] {
  return Array.from({ length: n }, (_, i) => `n${String(i).padStart(5, '0')}.${zone}`);
}

function serviceOf(dnsNames: string[], zoneId: string): Service {
  const check = { type: 'tcp' as const, host: '127.0.0.1', port: 9, interval: 10_000, timeout: 1000 };
  const pool = (name: string, priority: number, address: string) => ({
    name,
    priority,
    weight: 1,
    minHealthy: { kind: 'count' as const, count: 1 },
    endpoints: [{ id: `${name}1`, pool: name, target: { kind: 'address' as const, address }, check }],
  });
  return {
    name: 'bench',
    dnsNames,
    recordType: 'A',
    ttl: 60,
    policy: 'failover',
    probeRegions: ['r1'],
    quorum: 'majority',
    failureThreshold: 3,
    successThreshold: 2,
    staleAfter: 30_000,
    pools: [pool('a', 1, POOL_A), pool('b', 2, POOL_B)],
    safety: { failback: 'auto', failbackAfter: 300_000, flapWindow: 1_800_000, maxFailbackAfter: 3_600_000 },
    providers: [{ provider: 'r53', zone: zoneId, mode: 'rewrite' }],
    notify: [],
    drill: {},
    drills: [],
  };
}

const SERVING_A: Decision = {
  pools: [
    { pool: 'a', weight: 1, endpoints: ['a1'] },
    { pool: 'b', weight: 0, endpoints: ['b1'] },
  ],
};
const SERVING_B: Decision = {
  pools: [
    { pool: 'a', weight: 0, endpoints: ['a1'] },
    { pool: 'b', weight: 1, endpoints: ['b1'] },
  ],
};

let providerSeq = 0;
function providerFor(server: Route53TestServer, limits: Route53Provider['limits'] = {}): Route53Provider {
  providerSeq += 1;
  return {
    type: 'route53',
    // A fresh name per phase: its client-side bucket (shared per provider name) starts like a quiet account.
    name: `r53-bench-${providerSeq}`,
    endpoint: server.endpoint,
    region: 'us-east-1',
    requestsPerSecond: RATE,
    ownerRecords: false,
    limits,
    syncTimeout: 120_000,
    maxDeletes: 10,
  };
}

const ENV = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' };

/** One sync of `service` to `decision`, measured at the server. */
async function phase(
  server: Route53TestServer,
  service: Service,
  zoneId: string,
  decision: Decision,
  limits: Route53Provider['limits'] = {},
): Promise<PhaseResult> {
  const provider = providerFor(server, limits);
  const adapter = createRoute53Adapter(provider, { env: ENV });
  const before = server.stats();
  const started = performance.now();
  let sync: SyncResult | undefined;
  let error: string | undefined;
  try {
    sync = await syncTarget({
      service,
      target: { provider: provider.name, zone: zoneId, mode: 'rewrite' },
      provider,
      deploymentId: 'bench',
      decision,
      adapter,
      dryRun: false,
    });
  } catch (caught) {
    error =
      caught instanceof Error
        ? `${(caught as { code?: string }).code ?? caught.name}: ${caught.message}`
        : String(caught);
  } finally {
    await adapter.close();
  }
  const ms = performance.now() - started;
  const after = server.stats();
  const requests: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after.requests)) {
    const delta = count - (before.requests[operation] ?? 0);
    if (delta > 0) requests[operation] = delta;
  }
  return {
    ok: error === undefined,
    ...(error !== undefined ? { error: error.slice(0, 300) } : {}),
    ms,
    requests,
    totalRequests: Object.values(requests).reduce((sum, count) => sum + count, 0),
    batches: after.acceptedChanges - before.acceptedChanges,
    throttled: after.throttled - before.throttled,
    ...(sync !== undefined ? { sync } : {}),
  };
}

/** A zone with the N sets at pool a, put there without any request (the steer phases start from it). */
function seededZone(server: Route53TestServer, zone: string, dnsNames: string[]): string {
  const zoneId = server.createHostedZone(zone);
  server.seed(
    zoneId,
    dnsNames.map((name) => ({ name, type: 'A', ttl: 60, values: [POOL_A] })),
  );
  return zoneId;
}

/**
 * The failover of a zone seeded with N sets at pool a while `faults` are injected, checked with the server's
 * own counters: every set changed exactly once and holds the new value.
 */
async function throttledSteer(
  server: Route53TestServer,
  n: number,
  label: string,
  faults: Route53Fault[],
): Promise<PhaseResult> {
  const zone = `${label}${n}.bench.test`;
  const zoneNames = names(n, zone);
  const zoneId = seededZone(server, zone, zoneNames);
  const appliedBefore = server.stats().appliedChanges;
  for (const fault of faults) server.injectFault(fault);
  const result = await phase(server, serviceOf(zoneNames, zoneId), zoneId, SERVING_B);
  server.clearFaults();
  const appliedAfter = server.stats().appliedChanges;
  let changedTwice = 0;
  let notChanged = 0;
  for (const name of zoneNames) {
    const key = recordSetKey(name, 'A', undefined);
    const times = (appliedAfter[key] ?? 0) - (appliedBefore[key] ?? 0);
    if (times > 1) changedTwice += 1;
    if (times === 0) notChanged += 1;
  }
  const stored = new Map(server.recordSets(zoneId).map((set) => [set.name, set]));
  const wrongValue = zoneNames.filter((name) => stored.get(name)?.values?.join() !== POOL_B).length;
  return { ...result, changedTwice, notChanged, wrongValue };
}

async function runSize(n: number): Promise<SizeResult> {
  const server = await startRoute53Server({ requestsPerSecond: RATE, syncDelayMs: 200 });
  try {
    // 1-2: create, then steer, in one zone.
    const zone = `z${n}.bench.test`;
    const zoneId = server.createHostedZone(zone);
    const service = serviceOf(names(n, zone), zoneId);
    progress(`N=${n}: create`);
    const create = await phase(server, service, zoneId, SERVING_A);
    progress(`N=${n}: steer`);
    const steer = await phase(server, service, zoneId, SERVING_B);

    // 3: throttled steers, from seeded zones, checked by the server's counters.
    progress(`N=${n}: steer with ${THROTTLE_PROBABILITY * 100}% of all requests throttled`);
    const throttled = await throttledSteer(server, n, 't', [
      { code: 'Throttling', probability: THROTTLE_PROBABILITY, seed: 7 + n },
    ]);
    progress(`N=${n}: steer with ${THROTTLE_PROBABILITY * 100}% of change and status requests throttled`);
    const throttledWrites = await throttledSteer(server, n, 'w', [
      {
        operation: 'ChangeResourceRecordSets',
        code: 'Throttling',
        probability: THROTTLE_PROBABILITY,
        seed: 11 + n,
      },
      { operation: 'GetChange', code: 'Throttling', probability: THROTTLE_PROBABILITY, seed: 13 + n },
    ]);

    // 4: unbatched baseline (one UPSERT per request: maxChanges 2 = one UPSERT).
    let baseline: PhaseResult | undefined;
    if (n <= MEASURED_BASELINE_MAX) {
      const bZone = `b${n}.bench.test`;
      const bNames = names(n, bZone);
      const bZoneId = seededZone(server, bZone, bNames);
      progress(`N=${n}: unbatched baseline`);
      baseline = await phase(server, serviceOf(bNames, bZoneId), bZoneId, SERVING_B, { maxChanges: 2 });
    }
    return { n, create, steer, throttled, throttledWrites, ...(baseline !== undefined ? { baseline } : {}) };
  } finally {
    await server.close();
  }
}

/** Requests of a steer: one zone lookup, a read, one change and one GetChange per batch, a verifying read. */
function steerCalls(n: number, perRequest: number): number {
  const pages = Math.max(1, Math.ceil(n / PAGE));
  const batches = Math.ceil(n / perRequest);
  return 1 + pages + 2 * batches + pages;
}

function progress(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number): string => fmt(ms / 1000, 1);

function callsText(result: PhaseResult): string {
  const r = result.requests;
  return `${fmt(result.totalRequests)} (${r.ListResourceRecordSets ?? 0} list, ${r.ChangeResourceRecordSets ?? 0} change, ${r.GetChange ?? 0} status, ${r.GetHostedZone ?? 0} zone)`;
}

function throttledRow(n: number, which: string, p: PhaseResult): string {
  const retries = p.sync ? `${p.sync.retries} / ${p.sync.replans}` : '—';
  return `| ${fmt(n)} | ${which} | ${outcome(p)} | ${fmt(p.totalRequests)} (${fmt(p.throttled)}) | ${retries} | ${p.batches} | ${p.changedTwice} / ${p.notChanged} / ${p.wrongValue} |`;
}

function outcome(result: PhaseResult): string {
  if (result.ok) return `${seconds(result.ms)} s`;
  // `THROTTLED: route53 provider "x": ListResourceRecordSets on hosted zone Z failed: ...` -> code and call.
  const code = /^(\w+):/.exec(result.error ?? '')?.[1] ?? 'error';
  const call = /: (\w+) on hosted zone/.exec(result.error ?? '')?.[1];
  return `failed after ${seconds(result.ms)} s (${code}${call !== undefined ? ` on ${call}` : ''})`;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const results: SizeResult[] = [];
  const started = performance.now();
  for (const n of SIZES) {
    const result = await runSize(n);
    results.push(result);
    progress(
      `N=${n}: create ${outcome(result.create)}, steer ${outcome(result.steer)} in ${result.steer.totalRequests} requests, ` +
        `throttled ${outcome(result.throttled)} (${result.throttled.throttled} throttled)` +
        (result.baseline ? `, unbatched ${outcome(result.baseline)}` : ''),
    );
  }
  const totalS = (performance.now() - started) / 1000;

  const rows = results.map((r) => {
    const theoreticalBatched = steerCalls(r.n, UPSERTS_PER_REQUEST);
    const theoreticalUnbatched = steerCalls(r.n, 1);
    const unbatchedMs = r.baseline?.ok ? r.baseline.ms : (theoreticalUnbatched / RATE) * 1000;
    const unbatchedText = r.baseline?.ok
      ? `${fmt(r.baseline.totalRequests)} / ${seconds(r.baseline.ms)} s (measured)`
      : `${fmt(theoreticalUnbatched)} / ≥ ${seconds(unbatchedMs)} s (computed)`;
    const ratio = r.steer.ok ? `${fmt(r.steer.ms / unbatchedMs, 3)}` : '—';
    return { r, theoreticalBatched, unbatchedText, ratio };
  });

  const landedOnce = (p: PhaseResult): boolean =>
    p.ok && p.changedTwice === 0 && p.notChanged === 0 && p.wrongValue === 0;
  const throttledOk = results.every((r) => landedOnce(r.throttled));
  const throttledWritesOk = results.every((r) => landedOnce(r.throttledWrites));
  const linear = results.every((r) => r.steer.ok && r.steer.batches === Math.ceil(r.n / UPSERTS_PER_REQUEST));
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const report = `<!-- providers-bench:start -->

## Providers: Route 53 batching and throttling (\`npm run bench:providers\`)

- **Date:** ${new Date().toISOString().slice(0, 10)}
- **Machine:** ${cpu}, ${cpus().length} vCPU, Node ${process.version}, ${process.platform}; 1-minute load average ${fmt(loadBefore, 1)} before the run, ${fmt(loadavg()[0] ?? 0, 1)} after; ${fmt(totalS)} s in all
- **Command:** \`npm run bench:providers${WRITE_DOCS ? ' -- --write-docs' : ''}\`
- **Setup:** the real Route 53 adapter (AWS SDK over HTTP) and the shared sync layer (\`syncTarget\`: read, plan, batches, client-side rate limit, retries, wait for INSYNC, verifying read) against the local Route 53 server limited to ${RATE} requests/s (excess answered \`Throttling\`), the client paced at the same ${RATE}/s; GetChange turns INSYNC 200 ms after a change. One service, N names in one zone, rewrite mode, one A value each, no owner records. The steer is a failover (every set UPSERTed to the other pool: an UPSERT counts twice, so 500 per request); the baseline sends one UPSERT per request (\`limits.maxChanges: 2\`), measured up to N = ${MEASURED_BASELINE_MAX}, computed beyond from the same call pattern at ${RATE} requests/s.

| record sets N | create: requests / time | steer: requests (by operation) | steer: change batches | steer: time | unbatched baseline: requests / time | ratio steer time ÷ unbatched | calls a batched steer needs at least |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows
  .map(
    ({ r, theoreticalBatched, unbatchedText, ratio }) =>
      `| ${fmt(r.n)} | ${fmt(r.create.totalRequests)} / ${outcome(r.create)} | ${callsText(r.steer)} | ${r.steer.batches} | ${outcome(r.steer)} | ${unbatchedText} | ${ratio} | ${fmt(theoreticalBatched)} |`,
  )
  .join('\n')}

With Throttling injected (seeded) on ${THROTTLE_PROBABILITY * 100} % of the requests, the same steer from a zone seeded at the first pool; the server's counters say whether every set changed exactly once and holds the new value:

| record sets N | throttled requests | outcome | requests sent (throttled) | retries / re-plans | change batches accepted | sets changed twice / not changed / at a wrong value |
| --- | --- | --- | --- | --- | --- | --- |
${results
  .flatMap((r) => [
    throttledRow(r.n, 'all operations', r.throttled),
    throttledRow(r.n, 'ChangeResourceRecordSets and GetChange', r.throttledWrites),
  ])
  .join('\n')}

Goals: change requests grow as N ÷ 500, not N ${linear ? '✅' : '❌'}; under 30 % throttling of every operation every change lands exactly once ${throttledOk ? '✅' : '❌'}; the same with the write path throttled ${throttledWritesOk ? '✅' : '❌'}.
<!-- providers-bench:end -->`;
  console.log(`\n${report}\n`);
  if (WRITE_DOCS) await writeBenchmarksSection('providers-bench', report);
  if (!linear || !throttledOk || !throttledWritesOk) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
