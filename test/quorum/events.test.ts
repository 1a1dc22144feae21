import type { CoreEvent } from '../../src/quorum/types';
import { Scenario, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

const t0 = Date.UTC(2026, 0, 1);
const [use1, euw1, fra] = ['us-east-1', 'europe-west1', 'onprem-fra'];

describe('events', () => {
  const service = buildService({ pools: [{ name: 'aws-use1' }, { name: 'gcp-euw1' }] });
  const up = uniformOpinions(service, 'up');
  const awsDown = withPool(service, up, 'aws-use1', 'down', [use1, euw1]);
  const staleFra = { [use1]: 1_000, [euw1]: 1_000, [fra]: 120_000 };

  it('names service, pool, regions and rule in one sentence', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    const output = scenario.evaluate({ opinions: awsDown, heartbeats: staleFra, at: t0 + 10_000 });
    const drained = output.events.find((event) => event.kind === 'pool-drained');
    expect(drained).toEqual<CoreEvent>({
      kind: 'pool-drained',
      severity: 'warning',
      service: 'api',
      pool: 'aws-use1',
      rule: 'quorum',
      message:
        'api: pool aws-use1 drained: quorum 2/3 (us-east-1, europe-west1 say down; onprem-fra stale); 0 of 2 endpoints up, 1 needed',
      at: t0 + 10_000,
    });
    expect(output.events.find((event) => event.kind === 'decision-changed')).toMatchObject({
      severity: 'warning',
      rule: 'quorum',
      message:
        'api: answer changed to gcp-euw1 (weight 1, 2 endpoints) (was aws-use1 (weight 1, 2 endpoints); rule quorum)',
    });
    expect(output.events.find((event) => event.kind === 'endpoint-verdict')).toMatchObject({
      severity: 'warning',
      endpoint: 'aws-use1-1',
      pool: 'aws-use1',
      message:
        'api: endpoint aws-use1-1 (pool aws-use1) is down, was up: quorum 2/3 (us-east-1, europe-west1 say down; onprem-fra stale)',
    });
  });

  it('fire on transitions only: a steady state produces no events, whatever happens underneath', () => {
    const scenario = new Scenario(service);
    const sequence = [
      { opinions: up },
      { opinions: up },
      { opinions: awsDown, heartbeats: staleFra },
      { opinions: awsDown, heartbeats: staleFra },
      { opinions: awsDown, heartbeats: staleFra },
      { opinions: up },
      { opinions: up },
      { opinions: up, at: t0 + 1_000_000 },
      { opinions: up, at: t0 + 1_010_000 },
    ];
    const kinds = sequence.map((step, index) => {
      const output = scenario.evaluate({ at: t0 + index * 10_000, ...step });
      return output.events.map((event) => event.kind).join(',');
    });
    expect(kinds).toEqual([
      'endpoint-verdict,endpoint-verdict,endpoint-verdict,endpoint-verdict,pool-verdict,pool-verdict,decision-changed',
      '',
      'region-stale,endpoint-verdict,endpoint-verdict,pool-verdict,pool-drained,decision-changed',
      '',
      '',
      'region-live,endpoint-verdict,endpoint-verdict,pool-verdict',
      '',
      'pool-restored,decision-changed',
      '',
    ]);
    expect(scenario.outputs.map((output) => output.changed)).toEqual([
      true,
      false,
      true,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it('uses the severities: drained warning, fail-open and clamps critical, restored info', () => {
    const scenario = new Scenario(buildService({ safety: { maxDrainedPools: 0 } }));
    const all = uniformOpinions(scenario.service, 'up');
    scenario.evaluate({ opinions: all, at: t0 });
    const clamped = scenario.evaluate({ opinions: withPool(scenario.service, all, 'a', 'down'), at: t0 + 1 });
    expect(clamped.events.find((event) => event.kind === 'drain-clamped')?.severity).toBe('critical');
    expect(clamped.events.find((event) => event.kind === 'pool-verdict')?.severity).toBe('warning');
    const recovered = scenario.evaluate({ opinions: all, at: t0 + 2 });
    expect(recovered.events.find((event) => event.kind === 'pool-verdict')?.severity).toBe('info');
    expect(recovered.events.find((event) => event.kind === 'endpoint-verdict')?.severity).toBe('info');
  });

  it('stamps every event with the service and the evaluation time', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: awsDown, heartbeats: staleFra, at: t0 });
    expect(output.events.length).toBeGreaterThan(0);
    for (const event of output.events) {
      expect(event.service).toBe('api');
      expect(event.at).toBe(t0);
      expect(event.message.startsWith('api: ')).toBe(true);
      expect(event.message).not.toContain('undefined');
    }
  });
});
