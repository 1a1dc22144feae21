import type { StoredEvent } from '../../../src/evaluator/service-record';
import {
  applyIncidentKey,
  buildNotification,
  buildReminder,
  buildTestNotification,
  failOpenIncidentKey,
  poolIncidentKey,
} from '../../../src/notify/build-notification';
import type { Notification } from '../../../src/notify/notification';
import type { ForcePoolOverride } from '../../../src/quorum/types';
import { EventRecorder, outage, serviceOf, STATUS_PAGE, testConfig } from './fixtures';

const config = testConfig();

function build(events: StoredEvent[], recorder?: EventRecorder): Notification {
  const notification = buildNotification({
    config,
    service: 'api',
    events,
    ...(recorder?.record !== undefined ? { record: recorder.record } : {}),
  });
  if (notification === undefined) throw new Error('expected a notification');
  return notification;
}

const AWS_TARGET = 'route53 aws-main/Z0123456789ABC';
const GCP_TARGET = 'clouddns gcp-main/example-com';
const AWS_ANSWER = 'api.example.com A 192.0.2.10, 192.0.2.11';
const GCP_ANSWER = 'api.example.com A 198.51.100.20, 198.51.100.21';

describe('buildNotification: outage and recovery', () => {
  it('failover: pools, votes per region, planned DNS change per target, rule, generation, incident', () => {
    const { recorder, failover } = outage(config);
    const n = build(failover, recorder);
    expect(n).toMatchObject({
      version: 1,
      kind: 'failover',
      severity: 'warning',
      deployment: 'acme-prod',
      service: 'api',
      title: 'api: failover aws-use1 -> gcp-euw1',
      drill: false,
      generation: 2,
      at: Math.max(...failover.map((e) => e.at)),
      statusPageUrl: STATUS_PAGE,
      rules: ['quorum'],
      incident: { action: 'trigger', dedupKey: poolIncidentKey('acme-prod', 'api', 'aws-use1') },
    });
    expect(n.dnsChanges).toEqual([
      { target: AWS_TARGET, before: [AWS_ANSWER], after: [GCP_ANSWER], state: 'planned' },
      { target: GCP_TARGET, before: [AWS_ANSWER], after: [GCP_ANSWER], state: 'planned' },
    ]);
    expect(n.pools).toEqual([
      { pool: 'aws-use1', change: 'drained', reason: expect.stringContaining('quorum 2/3') },
    ]);
    expect(n.votes).toEqual([
      { region: 'us-east-1', says: 'down: use1-a, use1-b' },
      { region: 'europe-west1', says: 'down: use1-a, use1-b' },
      { region: 'onprem-fra', says: 'up' },
    ]);
    expect(n.summary).toContain('The answer changes to gcp-euw1');
    expect(n.explanation.join('\n')).toContain('pool aws-use1 (weight 0): drained now by rule quorum');
    expect(n.eventIds).toEqual(failover.map((e) => e.id));
  });

  it('shows votes only while the record is still the decision the message is about', () => {
    const { recorder, failover } = outage(config);
    expect(buildNotification({ config, service: 'api', events: failover })?.votes).toEqual([]);
    const later = { ...recorder.record!, generation: recorder.record!.generation + 1 };
    expect(buildNotification({ config, service: 'api', events: failover, record: later })?.votes).toEqual([]);
  });

  it('verdict info events alone are not worth a message; the first decision is', () => {
    const { recorder, initial } = outage(config);
    expect(
      buildNotification({
        config,
        service: 'api',
        events: initial.filter((e) => e.kind !== 'decision-changed'),
      }),
    ).toBeUndefined();
    expect(build(initial)).toMatchObject({
      kind: 'decision',
      title: 'api: first decision, serving aws-use1',
      generation: 1,
    });
    expect(build(initial).dnsChanges[0]).toMatchObject({ before: [], after: [AWS_ANSWER] });
    // The pool comes back up but waits for its failbackAfter: verdicts change, the decision does not.
    const waiting = recorder.step(recorder.allUp());
    expect(waiting.every((e) => e.kind === 'endpoint-verdict' || e.kind === 'pool-verdict')).toBe(true);
    expect(
      buildNotification({ config, service: 'api', events: waiting, record: recorder.record }),
    ).toBeUndefined();
    expect(buildNotification({ config, service: 'api', events: [] })).toBeUndefined();
  });

  it('failback: restored pool, reverse DNS change, resolves the failover incident', () => {
    const { recorder } = outage(config);
    recorder.step(recorder.allUp());
    const failback = recorder.step(recorder.allUp(), { at: recorder.scenario.now + 70_000 });
    const n = build(failback, recorder);
    expect(n).toMatchObject({
      kind: 'failback',
      severity: 'info',
      title: 'api: failback gcp-euw1 -> aws-use1',
      generation: 3,
      rules: ['failback-delay'],
      incident: { action: 'resolve', dedupKey: poolIncidentKey('acme-prod', 'api', 'aws-use1') },
    });
    expect(n.pools).toEqual([
      { pool: 'aws-use1', change: 'restored', reason: expect.stringContaining('up for 1m 10s') },
    ]);
    expect(n.dnsChanges[0]).toEqual({
      target: AWS_TARGET,
      before: [GCP_ANSWER],
      after: [AWS_ANSWER],
      state: 'planned',
    });
    expect(n.votes.map((v) => v.says)).toEqual(['up', 'up', 'up']);
  });

  it('fail-open is critical and opens its own incident; clearing it resolves that incident', () => {
    const { recorder } = outage(config);
    const failOpen = recorder.step(recorder.down(['aws-use1', 'gcp-euw1']));
    const n = build(failOpen, recorder);
    expect(n.kind).toBe('fail-open');
    expect(n.severity).toBe('critical');
    expect(n.title).toMatch(/^api: FAIL-OPEN/);
    expect(n.summary).toContain('keeping the last good answer');
    expect(n.rules).toContain('fail-open');
    expect(n.incident).toEqual({ action: 'trigger', dedupKey: failOpenIncidentKey('acme-prod', 'api') });

    const cleared = recorder.step(recorder.down(['aws-use1']));
    const c = build(cleared, recorder);
    expect(c.kind).toBe('fail-open-cleared');
    expect(c.incident).toEqual({ action: 'resolve', dedupKey: failOpenIncidentKey('acme-prod', 'api') });
  });
});

describe('buildNotification: apply results', () => {
  const failedDns = {
    target: 'aws-main/Z0123456789ABC',
    before: [AWS_ANSWER],
    after: [GCP_ANSWER],
    error: {
      code: 'FORBIDDEN',
      message:
        'AccessDenied calling https://route53.example.test/2013-04-01/hostedzone?X-Amz-Security-Token=tok3n-s3cret',
    },
  };

  it('a permanent apply failure is critical, names the target and the redacted error, and pages', () => {
    const { recorder } = outage(config);
    const event = recorder.external({
      kind: 'dns-apply-failed',
      severity: 'critical',
      message: 'api: apply of generation 2 failed at route53 aws-main/Z0123456789ABC: FORBIDDEN',
      dns: failedDns,
    });
    const n = build([event]);
    expect(n.kind).toBe('apply-failed');
    expect(n.severity).toBe('critical');
    expect(n.title).toBe(`api: DNS update failed at ${AWS_TARGET} (generation 2)`);
    expect(n.dnsChanges).toEqual([
      expect.objectContaining({
        target: AWS_TARGET,
        state: 'failed',
        error: expect.stringContaining('FORBIDDEN: AccessDenied'),
      }),
    ]);
    expect(JSON.stringify(n)).not.toContain('tok3n-s3cret');
    expect(n.summary).toContain('will not be retried');
    expect(n.incident).toEqual({
      action: 'trigger',
      dedupKey: applyIncidentKey('acme-prod', 'api', AWS_TARGET),
    });
  });

  it('a transient failure warns without paging', () => {
    const { recorder } = outage(config);
    const event = recorder.external({
      kind: 'dns-apply-failed',
      severity: 'warning',
      message: 'api: apply failed, retrying',
      dns: { ...failedDns, error: { code: 'THROTTLED', message: 'Rate exceeded' } },
    });
    const n = build([event]);
    expect(n).toMatchObject({ kind: 'apply-failed', severity: 'warning' });
    expect(n.summary).toContain('being retried');
    expect(n.incident).toBeUndefined();
  });

  it('applied results replace the planned state of their target when grouped with the decision', () => {
    const { recorder, failover } = outage(config);
    const applied = recorder.external({
      kind: 'dns-applied',
      severity: 'info',
      message: 'api: applied',
      dns: {
        target: 'aws-main/Z0123456789ABC',
        before: [AWS_ANSWER],
        after: [GCP_ANSWER],
        changeId: 'C0042',
      },
    });
    const n = build([...failover, applied], recorder);
    expect(n.kind).toBe('failover');
    expect(n.dnsChanges).toEqual([
      { target: AWS_TARGET, before: [AWS_ANSWER], after: [GCP_ANSWER], state: 'applied', changeId: 'C0042' },
      { target: GCP_TARGET, before: [AWS_ANSWER], after: [GCP_ANSWER], state: 'planned' },
    ]);
    // Alone, an apply is an informational confirmation that closes an apply incident of that target.
    const alone = build([applied]);
    expect(alone).toMatchObject({ kind: 'info', title: `api: DNS updated at ${AWS_TARGET} (generation 2)` });
    expect(alone.incident).toEqual({
      action: 'resolve',
      dedupKey: applyIncidentKey('acme-prod', 'api', AWS_TARGET),
    });
  });
});

describe('buildNotification: overrides and drills', () => {
  it('an operator override says who, why and until when, and pages nobody', () => {
    const { recorder } = outage(config);
    const until = recorder.scenario.now + 3_600_000;
    const event = {
      ...recorder.external({
        kind: 'override-set',
        severity: 'warning',
        rule: 'override',
        override: 'drain-1a2b',
        pool: 'aws-use1',
        message: 'api: force pool aws-use1 out by alice for 1h: drains it; override drain-1a2b',
        by: 'alice',
        reason: 'kernel upgrade',
      }),
      expiresAt: until,
    };
    const n = build([event]);
    expect(n.kind).toBe('override');
    expect(n.title).toBe('api: override drain-1a2b set by alice');
    expect(n.summary).toContain('By alice.');
    expect(n.summary).toContain('Reason: "kernel upgrade"');
    expect(n.summary).toContain(`Until ${new Date(until).toISOString()}`);
    expect(n.incident).toBeUndefined();
  });

  it('a drain forced by an override is a failover marked forced-out, without an incident', () => {
    const recorder = new EventRecorder(serviceOf(config, 'api'));
    recorder.step(recorder.allUp());
    const override: ForcePoolOverride = {
      kind: 'force-pool',
      id: 'drain-1a2b',
      pool: 'aws-use1',
      direction: 'out',
      by: 'alice',
      reason: 'kernel upgrade',
      createdAt: recorder.scenario.now,
    };
    const events = recorder.step(recorder.allUp(), { overrides: [override] });
    const n = build(events, recorder);
    expect(n.kind).toBe('failover');
    expect(n.pools).toEqual([expect.objectContaining({ pool: 'aws-use1', change: 'forced-out' })]);
    expect(n.rules).toContain('override');
    expect(n.incident).toBeUndefined();
  });

  it('drill start, drill failover and drill end are tagged [DRILL] and never page', () => {
    const recorder = new EventRecorder(serviceOf(config, 'api'));
    recorder.step(recorder.allUp());
    const started = recorder.external({
      kind: 'drill-started',
      severity: 'info',
      pool: 'aws-use1',
      drill: true,
      message: 'api: drill d-77 started: pool aws-use1 reported failing for 5m (live)',
      drillRun: { id: 'd-77', mode: 'live' },
    });
    const s = build([started]);
    expect(s).toMatchObject({ kind: 'drill-started', drill: true, drillId: 'd-77' });
    expect(s.title).toBe('[DRILL] api: drill d-77 (live) on pool aws-use1 started');
    expect(s.incident).toBeUndefined();

    const failover = recorder.step(recorder.down(['aws-use1']), { drill: true });
    const f = build(failover, recorder);
    expect(f.kind).toBe('failover');
    expect(f.drill).toBe(true);
    expect(f.title).toBe('[DRILL] api: failover aws-use1 -> gcp-euw1');
    expect(f.incident).toBeUndefined();

    const ended = recorder.external({
      kind: 'drill-ended',
      severity: 'info',
      drill: true,
      message: 'api: drill d-77 ended: failover 10s, objectives met',
      drillRun: { id: 'd-77', mode: 'live' },
    });
    expect(build([ended])).toMatchObject({
      kind: 'drill-ended',
      title: '[DRILL] api: drill d-77 (live) ended',
    });
  });
});

describe('buildNotification: robustness and identity', () => {
  it('the same events give the same id, whatever their order; other events another id', () => {
    const { recorder, failover } = outage(config);
    const a = build(failover, recorder);
    const b = build([...failover].reverse(), recorder);
    expect(b.id).toBe(a.id);
    expect(build(failover.slice(1), recorder).id).not.toBe(a.id);
  });

  it('loose Redis fields of the wrong shape are ignored, not fatal', () => {
    const { failover } = outage(config);
    const broken = failover.map((e) =>
      e.kind === 'decision-changed'
        ? ({ ...e, decision: { after: 'garbage' } } as unknown as StoredEvent)
        : e,
    );
    const n = build(broken);
    expect(n.kind).toBe('failover');
    expect(n.dnsChanges).toEqual([]);
  });

  it('a service no longer in the config still gets a message (without planned DNS)', () => {
    const { failover } = outage(config);
    const n = buildNotification({ config, service: 'api', events: failover.map((e) => ({ ...e })) });
    expect(n).toBeDefined();
    const gone = buildNotification({ config: { ...config, services: {} }, service: 'api', events: failover });
    expect(gone).toMatchObject({ kind: 'failover', dnsChanges: [] });
  });
});

describe('buildReminder and buildTestNotification', () => {
  it('a reminder says how long the pool has been drained, which reminder it is, and how regions vote now', () => {
    const { recorder, failover } = outage(config);
    const drainedAt = Math.max(...failover.map((e) => e.at));
    const now = drainedAt + 30 * 60_000;
    const n = buildReminder({
      config,
      service: 'api',
      pool: 'aws-use1',
      drainedAt,
      reminder: 2,
      of: 3,
      now,
      record: recorder.record!,
    });
    expect(n).toMatchObject({
      kind: 'reminder',
      severity: 'warning',
      title: 'api: pool aws-use1 still drained after 30m (reminder 2 of 3)',
      generation: 2,
      at: now,
      statusPageUrl: STATUS_PAGE,
    });
    expect(n.votes[0]).toEqual({ region: 'us-east-1', says: 'down: use1-a, use1-b' });
    expect(n.summary).toContain('The answer is gcp-euw1');
    expect(n.incident).toBeUndefined();
    const again = buildReminder({
      config,
      service: 'api',
      pool: 'aws-use1',
      drainedAt,
      reminder: 3,
      of: 3,
      now,
    });
    expect(again.id).not.toBe(n.id);
  });

  it('a test notification names the channel and changes nothing', () => {
    const n = buildTestNotification({ config, channel: 'ops-slack', now: Date.UTC(2026, 0, 1) });
    expect(n).toMatchObject({ kind: 'test', severity: 'info', drill: false, dnsChanges: [], pools: [] });
    expect(n.title).toContain('ops-slack');
    expect(n.incident).toBeUndefined();
  });
});
