/**
 * The probe as a scheduled AWS Lambda (serverless.yml: `rate(1 minute)`).
 *
 * Each invocation runs the same worker as `quorumdns probe` for one minute's worth of slots: from now until
 * the next minute boundary (slots are aligned to the Unix epoch, so consecutive invocations cover
 * consecutive windows and no slot runs twice), and always stops early enough to finish its checks and flush
 * before the Lambda's own timeout. Streaks live in Redis, so nothing is lost between invocations.
 *
 * Configure the function's timeout at least 15 s above one minute (e.g. 75-90 s): the window then ends at
 * the minute boundary, not at the timeout. With a shorter timeout the last seconds of each minute go unprobed.
 */
import { loadConfigOrThrow } from '../config/load-config';
import type { Config } from '../config/types';
import type { CheckRunner } from '../probe/check-runner';
import { type Clock, systemClock } from '../probe/clock';
import { jsonLineLogger, type Logger } from '../probe/logger';
import { probeTargetsFor } from '../probe/probe-target';
import { ProbeWorker } from '../probe/worker';

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  functionName?: string;
  logStreamName?: string;
  awsRequestId?: string;
}

export interface ProbeRunSummary {
  region: string;
  workerId: string;
  /** Epoch ms of the first and last moment a check could start. */
  windowStart: number;
  windowEnd: number;
  checks: number;
  recorded: number;
  unwritten: number;
  dropped: number;
  missedSlots: number;
  slipP99: number;
}

export interface ProbeHandlerOptions {
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** @defaultValue loadConfigOrThrow */
  loadConfig?: (paths: string[]) => Promise<{ config: Config }>;
  /** Window length instead of "until the next minute boundary" (local tests use a short one). */
  windowMs?: number;
  /** Time kept free before the Lambda timeout, besides the checks' own timeouts. @defaultValue 5000 */
  safetyMarginMs?: number;
  runCheck?: CheckRunner;
  clock?: Clock;
  logger?: Logger;
}

/** The handler was started without what it needs (region, config): a deployment mistake. */
export class LambdaProbeSetupError extends Error {
  readonly code = 'ELAMBDASETUP';
}

const MINUTE = 60_000;

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, Math.max(0, ms)));
}

export function createProbeHandler(options: ProbeHandlerOptions = {}) {
  return async function probeHandler(_event: unknown, context: LambdaContext): Promise<ProbeRunSummary> {
    const env = options.env ?? process.env;
    const clock = options.clock ?? systemClock;
    const startedAt = clock.now();
    const deadline = startedAt + context.getRemainingTimeInMillis() - (options.safetyMarginMs ?? 5000);

    const region = env.QUORUMDNS_REGION || env.AWS_REGION;
    if (!region) throw new LambdaProbeSetupError('set QUORUMDNS_REGION (or AWS_REGION) to the probe region');
    const paths = (env.QUORUMDNS_CONFIG || './quorumdns.yaml')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const { config } = await (options.loadConfig ?? loadConfigOrThrow)(paths);

    const workerId = `lambda-${context.functionName ?? 'probe'}-${(context.logStreamName ?? context.awsRequestId ?? 'local').slice(-12)}`;
    const logger =
      options.logger ?? jsonLineLogger((line) => process.stdout.write(line), { region, workerId });
    const targets = await probeTargetsFor(config, region, env);
    const longestTimeout = targets.reduce((max, t) => Math.max(max, t.check.timeout), 0);

    const naturalEnd =
      options.windowMs !== undefined
        ? startedAt + options.windowMs
        : (Math.floor(startedAt / MINUTE) + 1) * MINUTE;
    // Last moment a check may start: it then has its timeout to finish and a second to be flushed.
    const windowEnd = Math.min(naturalEnd, deadline - longestTimeout - 1000);

    const worker = await ProbeWorker.create({
      config,
      region,
      workerId,
      env,
      logger,
      clock,
      runCheck: options.runCheck,
      connectWaitMs: Math.max(0, Math.min(3000, windowEnd - clock.now())),
    });
    worker.start();
    await sleep(clock, windowEnd - clock.now());
    const summary = await worker.stop({
      graceMs: longestTimeout + 200,
      flushTimeoutMs: Math.max(200, deadline - clock.now() - 200),
      finalBeat: true,
    });
    const stats = worker.stats();
    return {
      region,
      workerId,
      windowStart: startedAt,
      windowEnd,
      checks: summary.checks,
      recorded: summary.recorded,
      unwritten: summary.unwritten,
      dropped: summary.dropped,
      missedSlots: stats.scheduler.missedSlots,
      slipP99: stats.scheduler.slip.p99,
    };
  };
}

/** The Lambda entry point (serverless.yml `handler: dist/lambda/probe.handler`). */
export const handler = createProbeHandler();
