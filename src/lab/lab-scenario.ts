/**
 * The lab's scripted scenario, measured from outside the system under test:
 *
 *   steady state (every pool up, the lab DNS answers the primary's address)
 *   -> the primary data center stops listening (a real outage, not a drill overlay)
 *   -> first opinion flip -> quorum verdict -> decision -> change applied -> DNS answer changed -> notified
 *   -> the data center listens again -> quorum says up -> failback after the hold -> DNS back -> notified.
 *
 * What happens inside quorumdns is read from Redis by the drill's own machinery (`readSnapshot` and
 * `TimelineTracker` with cause `outage`, src/drill/), so a drill report and the lab's timeline mean the same
 * thing by each step. What a client sees is measured here: the DNS answer (polled over UDP every ~50 ms) and
 * the notifications (the lab's webhook receiver). Every time is on the Redis clock.
 *
 * Every wait is bounded; a step that does not happen fails the run with the step's name.
 */
import type { Redis } from 'ioredis';
import type { Config, Service } from '../config/types';
import type { TimelineStep } from '../drill/drill-report';
import { DrillTimeline } from '../drill/drill-timeline';
import { RedisClock } from '../drill/redis-clock';
import { readSnapshot } from '../drill/run-drill';
import { TimelineTracker } from '../drill/timeline-tracker';
import { parseStateHash } from '../evaluator/state-store';
import type { ServiceRecord } from '../evaluator/service-record';
import { redisKeys, type RedisKeyLayout } from '../redis/keys';
import type { TextStyle } from '../status/text-style';
import type { DataCenter } from './data-center';
import type { DnsAnswerChange } from './dns-answer-poller';
import { LabInterruptedError, LabStepTimeoutError } from './lab-errors';
import {
  formatOffset,
  LAB_STEP_LABELS,
  type LabStepName,
  LabTimeline,
  type LabTimelineJson,
} from './lab-timeline';
import type { ReceivedNotification } from './lab-webhook-receiver';

export interface LabScenarioTimeouts {
  /** From the start of the scenario until every pool is up and DNS answers the primary. @defaultValue 60 s */
  steadyMs: number;
  /** From the outage until every failover step happened. @defaultValue 30 s */
  failoverMs: number;
  /** From the recovery until every failback step happened, beyond failbackAfter. @defaultValue 30 s */
  failbackExtraMs: number;
  /** How long the outage is held after the notification, so it can be looked at. @defaultValue 1 s */
  holdMs: number;
}

export const DEFAULT_SCENARIO_TIMEOUTS: LabScenarioTimeouts = {
  steadyMs: 60_000,
  failoverMs: 30_000,
  failbackExtraMs: 30_000,
  holdMs: 1_000,
};

export interface LabScenarioInput {
  config: Config;
  /** A commands connection to the lab's Redis (not closed here). */
  redis: Redis;
  /** The failover service whose primary goes down. */
  service: string;
  /** Every data center; the one named by the service's first pool goes down. */
  dataCenters: DataCenter[];
  /** The DNS answer of the service's name, as polled (the runner feeds changes through `onAnswer`). */
  currentAnswer: () => string[] | undefined;
  /** Throws when the lab cannot go on (a child process died). Called on every poll. */
  checkHealth: () => void;
  signal: AbortSignal;
  print: (line: string) => void;
  style: TextStyle;
  timeouts?: Partial<LabScenarioTimeouts>;
  /** Between two reads of Redis. @defaultValue 100 */
  pollMs?: number;
}

type Phase = 'steady' | 'failover' | 'failback' | 'done';

const FAILOVER_STEPS: readonly LabStepName[] = [
  'first-flip',
  'quorum',
  'decision',
  'in-sync',
  'dns-changed',
  'notified',
];
const FAILBACK_STEPS: readonly LabStepName[] = [
  'pool-up',
  'failback-decision',
  'failback-applied',
  'dns-back',
  'recovery-notified',
];

/** The drill tracker's step names as the lab names them (the outage and the recovery are the lab's own). */
const FROM_DRILL_STEP: Partial<Record<TimelineStep['step'], LabStepName>> = {
  'first-flip': 'first-flip',
  quorum: 'quorum',
  decision: 'decision',
  submitted: 'submitted',
  'in-sync': 'in-sync',
  answer: 'dns-changed',
  notified: 'notified',
  'pool-up': 'pool-up',
  'failback-decision': 'failback-decision',
  'failback-applied': 'failback-applied',
};

export class LabScenario {
  readonly service: Service;
  readonly primary: DataCenter;
  private readonly keys: RedisKeyLayout;
  private readonly clock = new RedisClock();
  private readonly timeouts: LabScenarioTimeouts;
  private phase: Phase = 'steady';
  private timeline: LabTimeline | undefined;
  private drillTimeline: DrillTimeline | undefined;
  /** Resolutions of one poll, printed in time order after it. */
  private readonly resolved: Array<{ step: LabStepName; at: number; detail: string; target?: string }> = [];
  private readonly problems: string[] = [];
  private steadyAnswer = '';

  constructor(private readonly input: LabScenarioInput) {
    const service = input.config.services[input.service];
    if (service === undefined) throw new Error(`the lab config has no service ${input.service}`);
    this.service = service;
    const primaryPool = service.pools[0]?.name;
    const primary = input.dataCenters.find((dc) => dc.name === primaryPool);
    if (primary === undefined) throw new Error(`no data center serves pool ${primaryPool ?? '?'}`);
    this.primary = primary;
    this.keys = redisKeys(input.config.deployment.redis.keyPrefix);
    this.timeouts = { ...DEFAULT_SCENARIO_TIMEOUTS, ...input.timeouts };
  }

  /** A change of the DNS answer seen by the poller. */
  onAnswer(change: DnsAnswerChange): void {
    const at = this.clock.now();
    const described = this.describeAnswer(change.values);
    if (
      this.phase === 'failover' &&
      change.values.length > 0 &&
      !change.values.includes(this.primary.address)
    ) {
      this.drillTimeline?.resolve('answer', { status: 'done', at, detail: described });
    } else if (this.phase === 'failback' && change.values.join(',') === this.primary.address) {
      this.record('dns-back', at, described);
    }
    this.flush();
  }

  /** A notification the receiver accepted. */
  onNotification(notification: ReceivedNotification): void {
    const at = this.clock.now();
    if (notification.service !== this.service.name || notification.drill) return;
    const text = `${notification.severity}: ${notification.title}`;
    if (this.phase === 'failover' && notification.kind === 'failover') {
      this.drillTimeline?.resolve('notified', { status: 'done', at, detail: text });
    } else if (this.phase === 'failback' && notification.kind === 'failback') {
      this.record('recovery-notified', at, text);
    }
    this.flush();
  }

  async run(): Promise<LabTimelineJson> {
    const { style, print } = this.input;
    await this.clock.sync(this.input.redis);
    await this.waitForSteadyState();
    print(`${style.bold('steady state')}: ${this.steadyAnswer}; every pool is up in every probe region`);

    // The outage: the primary stops listening; its time is taken when the listening socket closes.
    const serviceKeys = this.keys.service(this.service.name);
    await this.clock.sync(this.input.redis);
    const [initialRecord, initialOpinions] = await Promise.all([
      this.readRecord(this.service.name),
      this.input.redis.hgetall(serviceKeys.opinions),
    ]);
    const outageAt = this.clock.now();
    await this.primary.down();
    const timeline = new LabTimeline(outageAt);
    this.timeline = timeline;
    this.phase = 'failover';
    timeline.add(
      'outage',
      outageAt,
      `${this.primary.name} stopped listening (${this.primary.url} refuses connections)`,
    );
    print(
      `${style.bad(`${this.primary.name} goes down`)}: ${this.primary.url} refuses connections from now on`,
    );

    const drillTimeline = new DrillTimeline(outageAt, (step) => this.onTrackerStep(step));
    this.drillTimeline = drillTimeline;
    const tracker = new TimelineTracker({
      service: this.service,
      pools: [this.primary.name],
      mode: 'live',
      injectedAt: outageAt,
      timeline: drillTimeline,
      initialRecord,
      initialOpinions,
      cause: 'outage',
    });
    let lastEventId = `${outageAt}-0`;
    let inclusive = true;
    const poll = async (): Promise<void> => {
      const read = await readSnapshot(
        this.input.redis,
        serviceKeys,
        lastEventId,
        inclusive,
        tracker,
        this.clock,
      );
      inclusive = false;
      lastEventId = read.lastEventId;
      tracker.update(read.snapshot);
      this.flush();
    };

    await this.until(outageAt, this.timeouts.failoverMs, FAILOVER_STEPS, 'of the outage', poll);
    await this.sleep(this.timeouts.holdMs);

    await this.primary.up();
    const recoveredAt = this.clock.now();
    this.phase = 'failback';
    timeline.add('recovered', recoveredAt, `${this.primary.name} listens again on ${this.primary.url}`);
    tracker.markRestored(recoveredAt, 'the data center listens again');
    print(`${style.good(`${this.primary.name} is back`)}: listening again on ${this.primary.url}`);
    // The answer may already be back (it never is before failbackAfter, but a poll could race the phase change).
    const current = this.input.currentAnswer();
    if (current !== undefined && current.join(',') === this.primary.address) {
      this.record('dns-back', this.clock.now(), this.describeAnswer(current));
    }
    const failbackAfter =
      initialRecord?.state.pools[this.primary.name]?.failbackAfter ?? this.service.safety.failbackAfter;
    await this.until(
      recoveredAt,
      failbackAfter + this.timeouts.failbackExtraMs,
      FAILBACK_STEPS,
      `of ${this.primary.name} coming back (failbackAfter ${failbackAfter / 1000} s)`,
      poll,
    );
    this.phase = 'done';
    const firstPool = this.service.pools[0];
    const interval = firstPool?.endpoints[0]?.check.interval ?? 0;
    return timeline.toJson({
      service: this.service.name,
      pool: this.primary.name,
      steadyAnswer: this.steadyAnswer,
      detectionFloorMs: interval * this.service.failureThreshold,
      failbackAfterMs: failbackAfter,
    });
  }

  /** `api.lab.test A 127.0.0.12 (dc-west)`. */
  describeAnswer(values: readonly string[]): string {
    const names = values.map((value) => {
      const dc = this.input.dataCenters.find((candidate) => candidate.address === value);
      return dc === undefined ? value : `${value} (${dc.name})`;
    });
    return `${this.service.dnsNames[0] ?? this.service.name} ${this.service.recordType} ${names.join(', ') || '(no answer)'}`;
  }

  private onTrackerStep(step: TimelineStep): void {
    const name = FROM_DRILL_STEP[step.step];
    if (name === undefined) return;
    if (step.status === 'done' && step.at !== undefined) {
      this.record(name, step.at, step.detail ?? step.label, step.target);
    } else if (step.status !== 'pending' && this.phase !== 'done') {
      // Blocked by a safety rule, skipped, failed: the scenario cannot show what it promised; say why.
      this.problems.push(
        `${LAB_STEP_LABELS[name]}: ${step.status}${step.rule ? ` by rule ${step.rule}` : ''}${step.detail ? ` (${step.detail})` : ''}`,
      );
    }
  }

  private record(step: LabStepName, at: number, detail: string, target?: string): void {
    if (this.timeline?.add(step, at, detail, target))
      this.resolved.push({ step, at, detail, ...(target ? { target } : {}) });
  }

  /** Prints the steps resolved since the last flush, in time order. */
  private flush(): void {
    const timeline = this.timeline;
    if (timeline === undefined || this.resolved.length === 0) return;
    const { style, print } = this.input;
    for (const entry of this.resolved.splice(0).sort((a, b) => a.at - b.at)) {
      const label = LAB_STEP_LABELS[entry.step] + (entry.target !== undefined ? ` (${entry.target})` : '');
      print(
        `  ${style.dim(formatOffset(entry.at - timeline.outageAt).padStart(10))}  ${label}: ${entry.detail}`,
      );
    }
  }

  /** Polls until every step of `steps` is in the timeline, or fails naming the first one missing. */
  private async until(
    from: number,
    boundMs: number,
    steps: readonly LabStepName[],
    of: string,
    poll: () => Promise<void>,
  ): Promise<void> {
    const timeline = this.timeline as LabTimeline;
    for (;;) {
      this.checkGoOn();
      await poll();
      if (this.problems.length > 0) {
        const [problem] = this.problems;
        throw new LabStepTimeoutError(
          `the scenario cannot go on: ${problem}`,
          problem?.split(':')[0] ?? 'step',
        );
      }
      const missing = steps.filter((step) => !timeline.has(step));
      if (missing.length === 0) return;
      if (this.clock.now() > from + boundMs) {
        const first = missing[0] as LabStepName;
        throw new LabStepTimeoutError(
          `step "${LAB_STEP_LABELS[first]}" did not happen within ${boundMs / 1000} s ${of}` +
            ` (still missing: ${missing.map((step) => LAB_STEP_LABELS[step]).join(', ')})` +
            this.hintFor(first),
          first,
        );
      }
      await this.sleep(this.input.pollMs ?? 100);
    }
  }

  private hintFor(step: LabStepName): string {
    const pending = this.drillTimeline
      ?.pending()
      .find((candidate) => FROM_DRILL_STEP[candidate.step] === step);
    if (pending?.detail !== undefined) return `; last seen: ${pending.detail}`;
    if (step === 'dns-changed' || step === 'dns-back')
      return `; DNS answers ${this.describeAnswer(this.input.currentAnswer() ?? [])}`;
    return '';
  }

  private async waitForSteadyState(): Promise<void> {
    const deadline = Date.now() + this.timeouts.steadyMs;
    const services = Object.values(this.input.config.services);
    let why = 'nothing read yet';
    for (;;) {
      this.checkGoOn();
      why = await this.steadyProblem(services);
      if (why === '') return;
      if (Date.now() > deadline) {
        throw new LabStepTimeoutError(
          `steady state not reached within ${this.timeouts.steadyMs / 1000} s: ${why}`,
          'steady state',
        );
      }
      await this.sleep(this.input.pollMs ?? 100);
    }
  }

  /** What keeps the lab from its steady state ('' when it is there). */
  private async steadyProblem(services: Service[]): Promise<string> {
    for (const service of services) {
      const record = await this.readRecord(service.name);
      if (record === undefined) return `the evaluator has not evaluated ${service.name} yet`;
      for (const pool of service.pools) {
        const verdict = record.state.pools[pool.name]?.verdict ?? 'unknown';
        if (verdict !== 'up') return `the quorum says pool ${pool.name} of ${service.name} is ${verdict}`;
        if (record.state.pools[pool.name]?.eligible === false)
          return `pool ${pool.name} of ${service.name} is drained`;
      }
    }
    const answer = this.input.currentAnswer();
    if (answer === undefined) return 'the lab DNS server has not answered yet';
    this.steadyAnswer = this.describeAnswer(answer);
    if (answer.join(',') !== this.primary.address)
      return `DNS answers ${this.steadyAnswer}, not ${this.primary.name}`;
    return '';
  }

  private async readRecord(service: string): Promise<ServiceRecord | undefined> {
    const key = this.keys.service(service).state;
    return parseStateHash(key, await this.input.redis.hgetall(key))?.record;
  }

  private checkGoOn(): void {
    if (this.input.signal.aborted) {
      const reason: unknown = this.input.signal.reason;
      throw new LabInterruptedError(typeof reason === 'string' ? reason : 'a signal');
    }
    this.input.checkHealth();
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.input.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
