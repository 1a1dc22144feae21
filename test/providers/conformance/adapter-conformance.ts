/**
 * The conformance suite every DnsProviderAdapter must pass (unstorage's test/drivers/utils.ts): one set of
 * behaviours, run through the shared sync layer against each adapter's real (local) API server.
 *
 * Usage, in an adapter's test file:
 *
 *   describeAdapterConformance('route53', async () => {
 *     const server = await startRoute53Server();
 *     ...
 *     return { adapter, zone, provider, seed, snapshot, injectThrottling, writeCalls, acceptedWrites, teardown };
 *   });
 *
 * `setup` runs before each case and `teardown` after it, so cases never see each other's records.
 */
import type { Provider, ProviderTarget, Service } from '../../../src/config/types';
import {
  desiredRecordSets,
  initialDecision,
  ownerRecordName,
  ownerRecordValue,
} from '../../../src/providers/desired-records';
import { isEmptyPlan } from '../../../src/providers/plan';
import type { DnsProviderAdapter } from '../../../src/providers/provider-adapter';
import { isProviderError } from '../../../src/providers/provider-errors';
import { unlimited } from '../../../src/providers/rate-limiter';
import { type RecordSet, recordSetKey } from '../../../src/providers/record-set';
import { canonicalRecordSet } from '../../../src/providers/record-set-equality';
import type { RetryPolicy } from '../../../src/providers/retry';
import { type SyncResult, syncTarget } from '../../../src/providers/sync-target';
import type { Decision } from '../../../src/quorum/types';
import {
  address,
  cname,
  conformanceService,
  type ConformancePool,
  decisionWithWeights,
} from './conformance-service';

export interface ConformanceHarness {
  adapter: DnsProviderAdapter;
  /** The zone as a provider target names it (Route 53 hosted zone id, Cloud DNS managed zone, local zone). */
  zone: string;
  /** The zone's DNS name (lower case, no trailing dot); the suite's names end with it. @default 'example.com' */
  domain?: string;
  /** The config entry of this provider (`ownerRecords` true; the suite derives variants from it). */
  provider: Provider;
  /** Stores record sets directly on the server (its own API or store, not the adapter). */
  seed(sets: RecordSet[]): Promise<void>;
  /** What the server holds in the zone, read by the server's own API or store (not the adapter). */
  snapshot(): Promise<RecordSet[]>;
  /**
   * The next `count` requests are answered as throttled (Route 53 `Throttling`, Cloud DNS 429). `operation`
   * narrows it to writes or reads where the server can tell; a harness may ignore it and throttle any request.
   */
  injectThrottling(count: number, operation?: 'read' | 'write'): void;
  /** Write requests (change submissions) the server received so far, refused ones included. */
  writeCalls(): number;
  /** Write requests the server accepted and applied. Proves that no change is applied twice. */
  acceptedWrites?(): number;
  teardown(): Promise<void>;
}

const DEPLOYMENT = 'conformance';
const OTHER_DEPLOYMENT = 'someone-else';

/** Quick retries: the local servers answer in milliseconds, and the suite runs on a busy machine. */
const FAST_RETRY: Partial<RetryPolicy> = {
  baseDelayMs: 20,
  maxDelayMs: 500,
  maxAttempts: 8,
  syncPollInitialMs: 50,
  syncPollMaxMs: 250,
};

export function describeAdapterConformance(name: string, setup: () => Promise<ConformanceHarness>): void {
  describe(`DnsProviderAdapter conformance: ${name}`, () => {
    let h: ConformanceHarness;
    let domain: string;

    beforeEach(async () => {
      h = await setup();
      domain = h.domain ?? 'example.com';
    });

    afterEach(async () => {
      await h?.teardown();
    });

    const service = (
      mode: ProviderTarget['mode'],
      pools: ConformancePool[],
      extra: Partial<Parameters<typeof conformanceService>[0]> = {},
    ): Service =>
      conformanceService({
        name: 'web',
        dnsNames: [`www.${domain}`],
        pools,
        provider: h.provider.name,
        zone: h.zone,
        mode,
        ...extra,
      });

    const twoPools = (): ConformancePool[] => [
      { name: 'east', targets: [address('192.0.2.10'), address('192.0.2.11')] },
      { name: 'west', targets: [address('198.51.100.20')] },
    ];

    const sync = (
      svc: Service,
      decision: Decision,
      options: { dryRun?: boolean; provider?: Provider } = {},
    ): Promise<SyncResult> =>
      syncTarget({
        service: svc,
        target: svc.providers[0] as ProviderTarget,
        provider: options.provider ?? h.provider,
        deploymentId: DEPLOYMENT,
        decision,
        adapter: h.adapter,
        dryRun: options.dryRun ?? false,
        retry: FAST_RETRY,
        rateLimiter: unlimited,
      });

    const desiredOf = (svc: Service, decision: Decision, provider: Provider = h.provider): RecordSet[] =>
      desiredRecordSets({
        service: svc,
        decision,
        target: svc.providers[0] as ProviderTarget,
        provider,
        capabilities: h.adapter.capabilities,
        deploymentId: DEPLOYMENT,
      });

    /** The server holds exactly `expected` at the names `expected` (and `alsoAt`) mention. */
    const expectServerHolds = async (expected: RecordSet[], alsoAt: string[] = []): Promise<void> => {
      const names = new Set([...expected.map((set) => set.name), ...alsoAt]);
      const held = (await h.snapshot()).map(canonicalRecordSet).filter((set) => names.has(set.name));
      expect(sorted(held)).toEqual(sorted(expected.map(canonicalRecordSet)));
    };

    it('reads every record set at the requested names, across pages, and nothing else', async () => {
      const sets: RecordSet[] = Array.from({ length: 250 }, (_, i) => ({
        name: `r${String(i).padStart(3, '0')}.read.${domain}`,
        type: 'A',
        ttl: 60,
        values: [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`],
      }));
      const other: RecordSet = { name: `other.read.${domain}`, type: 'A', ttl: 60, values: ['10.9.9.9'] };
      await h.seed([...sets, other]);

      const read = await h.adapter.read({ zone: h.zone, names: sets.map((set) => set.name) });

      expect(read).toHaveLength(250);
      expect(sorted(read.map(canonicalRecordSet))).toEqual(sorted(sets.map(canonicalRecordSet)));
      expect(read.some((set) => set.name === other.name)).toBe(false);
    });

    it('rewrite: creates the records, fails over to the next pool and restores', async () => {
      const svc = service('rewrite', twoPools());
      const initial = initialDecision(svc);

      const created = await sync(svc, initial);
      expect(created.plan.changes.map((c) => c.action)).toEqual(['create', 'create']);
      await expectServerHolds(desiredOf(svc, initial));
      const owner = (await h.snapshot()).find((set) => set.name === ownerRecordName(`www.${domain}`));
      expect(owner?.values).toEqual([ownerRecordValue(DEPLOYMENT)]);

      const failedOver = decisionWithWeights(svc, { west: 1 });
      const moved = await sync(svc, failedOver);
      expect(moved.plan.changes.map((c) => c.action)).toEqual(['update']);
      await expectServerHolds(desiredOf(svc, failedOver));
      const www = (await h.snapshot()).find((set) => set.name === `www.${domain}` && set.type === 'A');
      expect(www?.values).toEqual(['198.51.100.20']);

      await sync(svc, initial);
      await expectServerHolds(desiredOf(svc, initial));
    });

    it('rewrite: a CNAME service points at one target and moves it', async () => {
      const svc = service(
        'rewrite',
        [
          { name: 'east', targets: [cname(`east-lb.${domain}`)] },
          { name: 'west', targets: [cname(`west-lb.${domain}`)] },
        ],
        { recordType: 'CNAME' },
      );
      await sync(svc, initialDecision(svc));
      await sync(svc, decisionWithWeights(svc, { west: 1 }));
      const www = (await h.snapshot()).filter((set) => set.name === `www.${domain}`);
      expect(www).toEqual([expect.objectContaining({ type: 'CNAME', values: [`west-lb.${domain}`] })]);
    });

    it('weights: drains a pool to weight 0, keeping its values, and restores it', async () => {
      if (!h.adapter.capabilities.modes.includes('weights')) return;
      const svc = service('weights', twoPools(), { policy: 'weighted' });
      const all = decisionWithWeights(svc, { east: 1, west: 1 });
      await sync(svc, all);
      await expectServerHolds(desiredOf(svc, all));

      const drained = decisionWithWeights(svc, { west: 1 });
      await sync(svc, drained);
      await expectServerHolds(desiredOf(svc, drained));
      const sets = (await h.snapshot()).map(canonicalRecordSet).filter((set) => set.name === `www.${domain}`);
      if (h.adapter.capabilities.weightedStyle === 'set-per-pool') {
        expect(sets.find((set) => set.setIdentifier === 'east')).toMatchObject({
          weight: 0,
          values: ['192.0.2.10', '192.0.2.11'],
        });
      } else {
        expect(sets).toHaveLength(1);
        expect(sets[0]?.wrr).toEqual([
          { weight: 0, values: ['192.0.2.10', '192.0.2.11'] },
          { weight: 1, values: ['198.51.100.20'] },
        ]);
      }

      await sync(svc, all);
      await expectServerHolds(desiredOf(svc, all));
    });

    it('alias: serves a Route 53 alias target when the adapter can', async () => {
      if (!h.adapter.capabilities.alias) return;
      // Alias targets inside the zone itself, which exist: Route 53 checks that a same-zone target exists.
      const origins: RecordSet[] = ['east', 'west'].map((pool) => ({
        name: `${pool}-origin.${domain}`,
        type: 'A',
        ttl: 60,
        values: [pool === 'east' ? '192.0.2.10' : '198.51.100.20'],
      }));
      await h.seed(origins);
      const aliasTo = (dnsName: string) => ({
        kind: 'alias' as const,
        hostedZoneId: h.zone,
        dnsName,
        evaluateTargetHealth: false,
      });
      const svc = service('rewrite', [
        { name: 'east', targets: [aliasTo(`east-origin.${domain}`)] },
        { name: 'west', targets: [aliasTo(`west-origin.${domain}`)] },
      ]);
      await sync(svc, initialDecision(svc));
      await expectServerHolds(desiredOf(svc, initialDecision(svc)));
      const failedOver = decisionWithWeights(svc, { west: 1 });
      await sync(svc, failedOver);
      await expectServerHolds(desiredOf(svc, failedOver));
    });

    it('idempotent: a second sync plans nothing and makes no write call', async () => {
      const svc = service('rewrite', twoPools());
      await sync(svc, initialDecision(svc));
      const writesBefore = h.writeCalls();

      const again = await sync(svc, initialDecision(svc));

      expect(isEmptyPlan(again.plan)).toBe(true);
      expect(again.changeIds).toEqual([]);
      expect(again.verifiedAt).toBeDefined();
      expect(h.writeCalls()).toBe(writesBefore);
    });

    it('throttling: the sync still lands, each change once', async () => {
      const svc = service('rewrite', twoPools());
      const acceptedBefore = h.acceptedWrites?.();
      h.injectThrottling(1, 'read');
      h.injectThrottling(2, 'write');

      const result = await sync(svc, initialDecision(svc));

      await expectServerHolds(desiredOf(svc, initialDecision(svc)));
      // The shared layer paces retries; an adapter must surface throttling, not retry it inside the SDK.
      expect(result.retries).toBeGreaterThanOrEqual(1);
      expect(result.changeIds).toHaveLength(1);
      if (h.acceptedWrites && acceptedBefore !== undefined) {
        expect(h.acceptedWrites() - acceptedBefore).toBe(result.changeIds.length);
      }
    });

    it('ownership: refuses a name owned by another deployment and writes nothing', async () => {
      const svc = service('rewrite', twoPools());
      const theirs: RecordSet[] = [
        {
          name: ownerRecordName(`www.${domain}`),
          type: 'TXT',
          ttl: 300,
          values: [ownerRecordValue(OTHER_DEPLOYMENT)],
        },
        { name: `www.${domain}`, type: 'A', ttl: 60, values: ['203.0.113.5'] },
      ];
      await h.seed(theirs);
      const writesBefore = h.writeCalls();

      const error = await sync(svc, initialDecision(svc)).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(isProviderError(error) && error.code).toBe('NOT_OWNER');
      expect((error as Error).message).toContain(`www.${domain}`);
      expect((error as Error).message).toContain(OTHER_DEPLOYMENT);
      expect(h.writeCalls()).toBe(writesBefore);
      await expectServerHolds(theirs);
    });

    it('dry run: plans the changes and makes no write call', async () => {
      const svc = service('rewrite', twoPools());
      const writesBefore = h.writeCalls();

      const result = await sync(svc, initialDecision(svc), { dryRun: true });

      expect(result.dryRun).toBe(true);
      expect(result.plan.changes.length).toBeGreaterThan(0);
      expect(result.changeIds).toEqual([]);
      expect(h.writeCalls()).toBe(writesBefore);
      await expectServerHolds([], [`www.${domain}`, ownerRecordName(`www.${domain}`)]);
    });

    it('splits a plan above the request limits into several applies, all landing', async () => {
      const provider: Provider = { ...h.provider, limits: { ...h.provider.limits, maxChanges: 2 } };
      const svc = service('rewrite', twoPools(), {
        dnsNames: [`a.${domain}`, `b.${domain}`, `c.${domain}`],
      });
      const writesBefore = h.writeCalls();
      const acceptedBefore = h.acceptedWrites?.();

      const result = await sync(svc, initialDecision(svc), { provider });

      // Six creates (three names and their owner records), two per request: each name with its owner record.
      expect(result.plan.changes).toHaveLength(6);
      expect(result.changeIds).toHaveLength(3);
      expect(h.writeCalls() - writesBefore).toBeGreaterThanOrEqual(3);
      if (h.acceptedWrites && acceptedBefore !== undefined)
        expect(h.acceptedWrites() - acceptedBefore).toBe(3);
      await expectServerHolds(desiredOf(svc, initialDecision(svc), provider));
    });

    it('verifies by re-reading after the change is in sync', async () => {
      const svc = service('rewrite', twoPools());
      const result = await sync(svc, initialDecision(svc));

      expect(result.submittedAt).toBeDefined();
      expect(result.inSyncAt).toBeDefined();
      expect(result.verifiedAt).toBeGreaterThanOrEqual(result.inSyncAt as number);
      const reread = await h.adapter.read({
        zone: h.zone,
        names: [`www.${domain}`, ownerRecordName(`www.${domain}`)],
      });
      expect(sorted(reread.map(canonicalRecordSet))).toEqual(sorted(desiredOf(svc, initialDecision(svc))));
      if (h.adapter.capabilities.hasSyncStatus) {
        await expect(h.adapter.changeStatus(result.changeIds[0] as string)).resolves.toBe('in-sync');
      }
    });
  });
}

function sorted(sets: RecordSet[]): RecordSet[] {
  return [...sets].sort((a, b) =>
    recordSetKey(a) < recordSetKey(b) ? -1 : recordSetKey(a) > recordSetKey(b) ? 1 : 0,
  );
}
