/**
 * `quorumdns drill <subcommand>`: region outage drills.
 *
 * - `drill run --service <s> --pool <p> [--mode dry|live] [--duration 5m] [--report-dir ./drill-reports]
 *   [--by name] [--reason text] [--json] [--config path...]`: runs one drill (src/drill/run-drill.ts), prints
 *   the timeline as it happens, the verdict and the report files (`<id>.json`, `.md`, `.svg`). Exit 0 when
 *   the drill passed, 1 when it failed (or could not start), 2 for a bad command line. Ctrl-C (or SIGTERM)
 *   ends it early: the overlay is removed, the report says it was interrupted, exit 1. A second Ctrl-C removes
 *   the overlay and exits at once.
 * - `drill status [--json] [--config path...]`: the drill overlays stored now, with their expiry.
 * - `drill stop --service <s> [--by name] [--config path...]`: an operator's emergency stop; removes the
 *   service's overlay whoever set it and writes a `drill-stopped` event (who stopped what) to the service's
 *   events stream, notified like any drill event: a crashed runner writes nothing, so this is the only trace.
 *   The running drill (if its runner is alive) notices, restores and reports itself as stopped.
 * - `drill history [--service <s>] [--limit 20] [--json] [--config path...]`: the stored run reports
 *   (drill-history-command.ts).
 */
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { didYouMean } from '../config/did-you-mean';
import { parseDuration } from '../config/duration';
import type { Config, Service } from '../config/types';
import { type DrillEventInput, DrillQueues } from '../drill/drill-events';
import { DrillAlreadyRunningError, DrillRequestError } from '../drill/drill-errors';
import type { DrillReport, TimelineStep } from '../drill/drill-report';
import { type ActiveDrill, DrillStore } from '../drill/drill-store';
import { DEFAULT_DRILL_DURATION, MAX_DRILL_DURATION, runDrill } from '../drill/run-drill';
import { writeDrillReport } from '../drill/write-drill-report';
import { redisTimeMs } from '../evaluator/redis-time';
import { formatDuration, formatTime } from '../quorum/format-duration';
import type { RedisKeyLayout } from '../redis/keys';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { configOption, loadOperatorConfig } from './config-flag';
import { drillHistoryCommand, parseHistoryLimit } from './drill-history-command';
import { operatorIdentity } from './operator-identity';
import { OperatorCommandError, runOperatorCommand } from './operator-error';
import { connectOperatorRedis, isRedisError, redisErrorText, withOperatorRedis } from './operator-redis';
import { parseArgs } from './parse-args';
import { requirePool, requireService } from './service-argument';
import { generationInForce } from './generation-in-force';

const SUBCOMMANDS = ['run', 'status', 'stop', 'history'] as const;

/** Where `drill run` writes its reports unless `--report-dir` says otherwise (relative to the cwd). */
export const DEFAULT_REPORT_DIR = './drill-reports';

export const drillCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs(args, {
    ...configOption,
    service: { type: 'string' },
    pool: { type: 'string' },
    mode: { type: 'string' },
    duration: { type: 'string' },
    'report-dir': { type: 'string' },
    by: { type: 'string' },
    reason: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [subcommand, ...rest] = positionals;
  if (subcommand === undefined) throw new UsageError(`a subcommand is required: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new UsageError(
      `unknown subcommand "${subcommand}"${didYouMean(subcommand, SUBCOMMANDS)}; use ${SUBCOMMANDS.join(', ')}`,
    );
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest.join(' ')}`);
  // A flag another subcommand takes is refused rather than ignored: `drill status --by me` must not look as if
  // it recorded anything.
  const only = (flag: string, ...allowed: string[]): void => {
    if ((values as Record<string, unknown>)[flag] !== undefined && !allowed.includes(subcommand)) {
      throw new UsageError(`--${flag} goes with ${allowed.map((name) => `drill ${name}`).join(' and ')}`);
    }
  };
  for (const flag of ['pool', 'mode', 'duration', 'report-dir', 'reason']) only(flag, 'run');
  only('limit', 'history');
  only('by', 'run', 'stop');
  if (subcommand === 'status' && values.service !== undefined) {
    throw new UsageError('drill status shows every service; it takes no --service');
  }

  switch (subcommand) {
    case 'run': {
      if (values.service === undefined) throw new UsageError('--service <name> is required');
      if (values.pool === undefined) throw new UsageError('--pool <name> is required');
      const mode = values.mode ?? 'dry';
      if (mode !== 'dry' && mode !== 'live')
        throw new UsageError(`--mode must be dry or live, got "${mode}"`);
      const durationMs = drillDuration(values.duration);
      const by = operatorIdentity(values.by, io.env);
      const reason = values.reason?.trim();
      if (reason !== undefined && reason === '') throw new UsageError('--reason must not be empty');
      return runOperatorCommand('drill', io, () =>
        runCommand(io, {
          configFlag: values.config,
          service: values.service as string,
          pool: values.pool as string,
          mode,
          durationMs,
          reportDir: values['report-dir'] ?? DEFAULT_REPORT_DIR,
          by,
          ...(reason !== undefined ? { reason } : {}),
          json: values.json,
        }),
      );
    }
    case 'status':
      return runOperatorCommand('drill', io, async () => {
        const config = await loadOperatorConfig(values.config, io);
        return statusCommand(config, io, values.json);
      });
    case 'history': {
      const limit = parseHistoryLimit(values.limit);
      return runOperatorCommand('drill', io, async () => {
        const config = await loadOperatorConfig(values.config, io);
        return drillHistoryCommand(config, io, {
          ...(values.service !== undefined ? { service: values.service } : {}),
          limit,
          json: values.json,
        });
      });
    }
    default: {
      if (values.service === undefined) throw new UsageError('--service <name> is required');
      if (values.json) throw new UsageError('--json goes with drill run, drill status and drill history');
      const by = operatorIdentity(values.by, io.env);
      return runOperatorCommand('drill', io, async () => {
        const config = await loadOperatorConfig(values.config, io);
        const service = requireService(config, values.service);
        return stopCommand(config, io, service, by);
      });
    }
  }
};

function drillDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DRILL_DURATION;
  const ms = parseDuration(text.trim());
  if (ms === undefined)
    throw new UsageError(`--duration must be a duration like 90s, 5m or 1h, got "${text}"`);
  if (ms <= 0) throw new UsageError('--duration must be longer than 0s');
  if (ms > MAX_DRILL_DURATION) {
    throw new UsageError(`--duration ${text} is longer than the ${formatDuration(MAX_DRILL_DURATION)} limit`);
  }
  return ms;
}

interface RunInput {
  configFlag: string[] | undefined;
  service: string;
  pool: string;
  mode: 'dry' | 'live';
  durationMs: number;
  reportDir: string;
  by: string;
  reason?: string;
  json: boolean;
}

function stepLine(step: TimelineStep): string {
  const offset = step.offsetMs !== undefined ? `+${formatDuration(Math.max(0, step.offsetMs))}` : '';
  const status = step.status === 'done' ? '' : ` [${step.status}${step.rule ? `: ${step.rule}` : ''}]`;
  const detail = step.detail ? `  ${step.detail}` : '';
  return `  ${offset.padStart(8)}  ${step.label}${status}${detail}\n`;
}

async function runCommand(io: CliIo, input: RunInput): Promise<number> {
  const config = await loadOperatorConfig(input.configFlag, io);
  const service = requireService(config, input.service);
  requirePool(service, input.pool);
  const connection = await connectOperatorRedis(config, io);
  const controller = new AbortController();
  let signals = 0;
  let drillId: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      if (!input.json)
        io.stderr(`\n${signal}: ending the drill early (restoring)... Ctrl-C again to quit now\n`);
      controller.abort(signal);
      return;
    }
    // The impatient path: remove the overlay (best effort) and go; its expiry is the backstop anyway.
    const id = drillId;
    const removal =
      id === undefined
        ? Promise.resolve()
        : new DrillStore(connection.redis, connection.keys).removeOwn(service.name, id).then(() => undefined);
    void removal.catch(() => undefined).finally(() => process.exit(ExitCode.failure));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: DrillReport;
  try {
    report = await runDrill({
      config,
      redis: connection.redis,
      service: service.name,
      pool: input.pool,
      mode: input.mode,
      durationMs: input.durationMs,
      by: input.by,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      trigger: 'cli',
      signal: controller.signal,
      onStarted: (overlay) => {
        drillId = overlay.id;
        if (input.json) return;
        io.stdout(
          `drill ${overlay.id}: ${input.mode} drill of ${service.name} pool ${input.pool} for ${formatDuration(input.durationMs)}` +
            `${input.mode === 'live' ? ' (DNS WILL change)' : ' (plan only, DNS does not change)'}; Ctrl-C ends it early\n`,
        );
      },
      onStep: (step) => {
        if (!input.json) io.stdout(stepLine(step));
      },
    });
  } catch (error) {
    if (error instanceof DrillRequestError) throw new OperatorCommandError(error.message, error.code, 2);
    if (error instanceof DrillAlreadyRunningError)
      throw new OperatorCommandError(error.message, error.code, 1);
    if (isRedisError(error)) {
      throw new OperatorCommandError(
        `Redis at ${connection.displayUrl} failed during the drill: ${redisErrorText(error)} (the overlay expires on its own)`,
        'EREDIS',
        1,
      );
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await connection.close();
  }
  const files = await writeDrillReport(report, resolve(io.cwd, input.reportDir));
  if (input.json) {
    io.stdout(`${JSON.stringify({ ...report, files }, null, 2)}\n`);
  } else {
    io.stdout(`\n${report.verdict === 'pass' ? 'PASS' : 'FAIL'}: drill ${report.id}\n`);
    for (const objective of report.objectives) {
      io.stdout(`  ${objective.objective.padEnd(15)} ${objective.status.padEnd(10)} ${objective.reason}\n`);
    }
    for (const reason of report.reasons) io.stdout(`  - ${reason}\n`);
    io.stdout(`report: ${files.markdown}\n        ${files.json}\n        ${files.svg}\n`);
  }
  return report.verdict === 'pass' ? ExitCode.ok : ExitCode.failure;
}

async function statusCommand(config: Config, io: CliIo, json: boolean): Promise<number> {
  const services = Object.keys(config.services).sort();
  const active = await withOperatorRedis(config, io, ({ redis, keys }) =>
    new DrillStore(redis, keys).active(services),
  );
  if (json) {
    io.stdout(`${JSON.stringify({ schemaVersion: 1, drills: active }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (active.length === 0) {
    io.stdout('no drill is running\n');
    return ExitCode.ok;
  }
  for (const drill of active) {
    const expiry = drill.ttlMs >= 0 ? `expires in ${formatDuration(drill.ttlMs)}` : 'no expiry';
    if (drill.overlay === undefined) {
      io.stdout(
        `${drill.service}: unreadable drill overlay (${drill.problem ?? 'unknown problem'}), ${expiry}\n`,
      );
      continue;
    }
    const o = drill.overlay;
    io.stdout(
      `${drill.service}: drill ${o.id} (${o.mode}) pool ${o.pools.join(', ')} by ${o.by}, ` +
        `started ${formatTime(o.startedAt)}, ends ${formatTime(o.endsAt)}, ${expiry}\n`,
    );
  }
  return ExitCode.ok;
}

async function stopCommand(config: Config, io: CliIo, service: Service, by: string): Promise<number> {
  const stopped = await withOperatorRedis(config, io, async ({ redis, keys }) => {
    const removed = await new DrillStore(redis, keys).forceRemove(service.name);
    if (removed === undefined) return undefined;
    const queues = new DrillQueues(redis, keys);
    try {
      // The overlay is gone whatever happens next: a failed audit write is reported, never hides the stop.
      const auditProblem = await drillStoppedEvent(redis, keys, service.name, removed, by)
        .then((event) => queues.emit(service, event))
        .then(
          () => undefined,
          (error: unknown) => redisErrorText(error),
        );
      // The pool's probes report real results within half a second; evaluate now rather than at the next tick.
      await queues.requestEvaluation(service.name, `cli:${by}`).catch(() => undefined);
      return { removed, auditProblem };
    } finally {
      await queues.close();
    }
  });
  if (stopped === undefined) {
    io.stdout(`no drill is running on ${service.name}\n`);
    return ExitCode.ok;
  }
  const { removed, auditProblem } = stopped;
  const what =
    removed.overlay !== undefined
      ? `drill ${removed.overlay.id} (${removed.overlay.mode})`
      : 'an unreadable drill overlay';
  io.stdout(`stopped ${what} on ${service.name} (by ${by}); probes report real results again\n`);
  if (auditProblem === undefined) return ExitCode.ok;
  io.stderr(
    `quorumdns drill: the drill-stopped event could not be written to the events stream: ${auditProblem}\n`,
  );
  return ExitCode.failure;
}

/**
 * The audit event of a stop: who stopped which drill, at the Redis time, belonging to the decision in force.
 * A damaged overlay is stopped all the same, and the event says it could not be read.
 */
async function drillStoppedEvent(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
  removed: ActiveDrill,
  by: string,
): Promise<DrillEventInput> {
  const [at, generation] = await Promise.all([redisTimeMs(redis), generationInForce(redis, keys, service)]);
  const overlay = removed.overlay;
  const message =
    overlay !== undefined
      ? `drill ${overlay.id} stopped by ${by} (${overlay.mode} drill of pool ${overlay.pools.join(', ')}, started by ${overlay.by})`
      : `drill (unreadable overlay: ${removed.problem ?? 'unknown problem'}) stopped by ${by}`;
  return { kind: 'drill-stopped', severity: 'info', overlay, by, message, at, generation };
}
