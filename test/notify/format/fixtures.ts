/**
 * Fixtures of the notification formatting tests: a realistic configuration (read by the real loader) with
 * one channel of every type, and real events, produced by running the decision core (`decide`) the way the
 * evaluator does and wrapping its output exactly as src/evaluator/service-evaluator.ts stores it.
 */
import type { Config, Service } from '../../../src/config/types';
import { loadConfigFromString } from '../../../src/config/load-config';
import type { ServiceRecord, StoredEvent, StoredEventInput } from '../../../src/evaluator/service-record';
import type { CoreOutput, Decision, OpinionMatrix, Override } from '../../../src/quorum/types';
import { Scenario, uniformOpinions, withPool } from '../../quorum/scenario';

export const STATUS_PAGE = 'https://status.example.com/api';
export const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';

export const CONFIG_YAML = `
deployment:
  id: acme-prod
  redis: { keyPrefix: 'qdns-format-test:' }
  statusPageUrl: ${STATUS_PAGE}
probeRegions: [us-east-1, europe-west1, onprem-fra]
providers:
  aws-main: { type: route53, hostedZoneId: Z0123456789ABC }
  gcp-main: { type: clouddns, project: acme-dns, managedZone: example-com }
notifications:
  ops-slack: { type: slack, url: '\${env:SLACK_WEBHOOK_URL}' }
  ops-teams: { type: teams, url: '\${env:TEAMS_WEBHOOK_URL}' }
  ops-discord: { type: discord, url: '\${env:DISCORD_WEBHOOK_URL}' }
  ops-gchat: { type: googlechat, url: '\${env:GCHAT_WEBHOOK_URL}' }
  ops-mm: { type: mattermost, url: '\${env:MM_WEBHOOK_URL}' }
  pager: { type: pagerduty, routingKey: '\${env:PD_ROUTING_KEY}' }
  audit: { type: webhook, url: 'http://127.0.0.1:9/hook', secret: '\${env:QDNS_HMAC}' }
defaults:
  check: { type: https, interval: 10s, timeout: 3s, path: /healthz }
  safety: { failbackAfter: 1m, flapWindow: 30m, maxFailbackAfter: 1h }
services:
  api:
    names: [api.example.com]
    policy: failover
    pools:
      aws-use1:
        endpoints:
          - { name: use1-a, address: 192.0.2.10 }
          - { name: use1-b, address: 192.0.2.11 }
      gcp-euw1:
        endpoints:
          - { name: euw1-a, address: 198.51.100.20 }
          - { name: euw1-b, address: 198.51.100.21 }
    providers:
      - { provider: aws-main, mode: rewrite }
      - { provider: gcp-main, mode: rewrite }
    notify:
      - { channel: ops-slack, minSeverity: warning }
      - { channel: pager, minSeverity: info }
      - { channel: audit }
  web:
    names: [www.example.com]
    policy: weighted
    pools:
      aws-use1:
        weight: 3
        endpoints: [{ name: web-a, address: 192.0.2.50 }]
      gcp-euw1:
        weight: 1
        endpoints: [{ name: web-b, address: 198.51.100.50 }]
    providers:
      - { provider: aws-main, mode: weights }
`;

export function testConfig(yaml: string = CONFIG_YAML): Config {
  const result = loadConfigFromString(yaml, 'notify-format.yaml');
  if (!result.ok) throw new Error(`fixture config is invalid:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}

export function serviceOf(config: Config, name: string): Service {
  const service = config.services[name];
  if (service === undefined) throw new Error(`no service ${name}`);
  return service;
}

/**
 * Runs the core over successive evaluations and keeps what the evaluator would store: generations that move
 * exactly when the decision changes, stream ids, `decision {before, after}` and the explanation on
 * decision-changed events, and the service record.
 */
export class EventRecorder {
  readonly scenario: Scenario;
  generation = 0;
  record: ServiceRecord | undefined;
  private sequence = 0;
  private previousDecision: Decision | undefined;

  constructor(readonly service: Service) {
    this.scenario = new Scenario(service);
  }

  allUp(): OpinionMatrix {
    return uniformOpinions(this.service, 'up');
  }

  down(pools: string[], regions?: string[]): OpinionMatrix {
    let matrix = this.allUp();
    for (const pool of pools) matrix = withPool(this.service, matrix, pool, 'down', regions);
    return matrix;
  }

  /** One evaluation; returns the events it committed (with ids) and the record after it. */
  step(
    opinions: OpinionMatrix,
    options: { at?: number; overrides?: Override[]; drill?: boolean } = {},
  ): StoredEvent[] {
    const output: CoreOutput = this.scenario.evaluate({
      opinions,
      ...(options.at !== undefined ? { at: options.at } : {}),
      ...(options.overrides !== undefined ? { overrides: options.overrides } : {}),
    });
    if (output.changed) this.generation += 1;
    const events: StoredEvent[] = output.events.map((event) => {
      const input: StoredEventInput = {
        ...event,
        generation: this.generation,
        by: 'evaluator-1',
        ...(options.drill === true ? { drill: true } : {}),
        ...(event.kind === 'decision-changed'
          ? {
              explanation: output.explanation.lines,
              decision: {
                ...(this.previousDecision !== undefined ? { before: this.previousDecision } : {}),
                after: output.state.decision,
              },
            }
          : {}),
      };
      return { ...input, id: this.nextId(event.at) };
    });
    this.previousDecision = output.state.decision;
    this.record = {
      state: output.state,
      generation: this.generation,
      decidedAt: this.scenario.now,
      evaluatedAt: this.scenario.now,
      explanation: output.explanation,
      configHash: 'test',
      evaluatedBy: 'evaluator-1',
    };
    return events;
  }

  /** An event written by another component (operator, apply processor, drill) at the current time. */
  external(event: Omit<StoredEventInput, 'generation' | 'at' | 'service'> & { at?: number }): StoredEvent {
    const at = event.at ?? this.scenario.now + 1;
    return { service: this.service.name, generation: this.generation, ...event, at, id: this.nextId(at) };
  }

  nextId(at: number): string {
    this.sequence += 1;
    return `${at}-${this.sequence}`;
  }
}

/** First decision (all up), then aws-use1 down in two of three regions: the failover. */
export function outage(config: Config): {
  recorder: EventRecorder;
  initial: StoredEvent[];
  failover: StoredEvent[];
} {
  const recorder = new EventRecorder(serviceOf(config, 'api'));
  const initial = recorder.step(recorder.allUp());
  const failover = recorder.step(recorder.down(['aws-use1'], ['us-east-1', 'europe-west1']));
  return { recorder, initial, failover };
}
