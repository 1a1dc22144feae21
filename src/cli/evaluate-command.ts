/**
 * `quorumdns evaluate --config <path...> [--tick 1s] [--concurrency 16] [--metrics-port n] [--metrics-host 127.0.0.1]
 *   [--id name] [--lock-duration 10s] [--no-apply] [--no-notify] [--no-drills]`
 *
 * Also runs the apply worker (DNS changes at the providers) unless `--no-apply`: then this process only
 * evaluates, and another `quorumdns evaluate` (or none, for a dry deployment) takes the apply jobs.
 * Likewise the notify worker (webhook deliveries, src/notify/) unless `--no-notify`, and the services'
 * scheduled drills (`drills:`, src/drill/drill-scheduler.ts) unless `--no-drills`.
 *
 * Runs the evaluator until SIGTERM/SIGINT (graceful: in-flight evaluations finish; a second signal stops at
 * once and leaves in-flight jobs to be recovered as stalled). SIGHUP reloads the config: validated first, an
 * invalid one is refused with its errors and the old one stays in force. Logs are JSON lines on stderr.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { startHealthServer, type HealthServer } from '../api/health-server';
import { parseDuration } from '../config/duration';
import { loadConfig } from '../config/load-config';
import { formatProblem } from '../config/problem';
import type { Config } from '../config/types';
import { Evaluator, ReloadRefusedError } from '../evaluator/evaluator';
import { jsonLineLogger, type Logger } from '../probe/logger';
import { redactRedisUrl, resolveRedisUrl } from '../redis/connect';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { metricsPortOf } from './metrics-port';
import { parseArgs } from './parse-args';

/** What the command listens to for signals: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

interface EvaluateSettings {
  paths: string[];
  tickMs: number;
  concurrency: number;
  metricsPort: number | undefined;
  metricsHost: string;
  id: string | undefined;
  /** How soon a killed evaluator's jobs are handed to another one (about this plus half of it). */
  lockDurationMs: number;
  /** Run the apply worker in this process (`--no-apply` turns it off). */
  apply: boolean;
  /** Run the notify worker in this process (`--no-notify` turns it off). */
  notify: boolean;
  /** Run the scheduled drills in this process (`--no-drills` turns it off). */
  drills: boolean;
}

function parseSettings(args: string[], io: CliIo): EvaluateSettings {
  const { values, positionals } = parseArgs(args, {
    config: { type: 'string', multiple: true, short: 'c' },
    tick: { type: 'string', default: '1s' },
    concurrency: { type: 'string', default: '16' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string', default: '127.0.0.1' },
    id: { type: 'string' },
    'lock-duration': { type: 'string', default: '10s' },
    'no-apply': { type: 'boolean', default: false },
    'no-notify': { type: 'boolean', default: false },
    'no-drills': { type: 'boolean', default: false },
  });
  // `--config a.yaml b.yaml` reads naturally: the positionals after it are more config paths.
  const paths = [...(values.config ?? []), ...positionals];
  if (paths.length === 0 && io.env.QUORUMDNS_CONFIG?.trim()) paths.push(io.env.QUORUMDNS_CONFIG.trim());
  if (paths.length === 0)
    throw new UsageError('no configuration: pass --config <path> or set QUORUMDNS_CONFIG');
  for (const path of paths) {
    if (!existsSync(resolve(io.cwd, path))) throw new UsageError(`config path not found: ${path}`);
  }
  const tickMs = parseDuration(values.tick);
  if (tickMs === undefined || tickMs < 100) {
    throw new UsageError(
      `--tick must be a duration of at least 100ms (e.g. 1s, 500ms), got "${values.tick}"`,
    );
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UsageError(`--concurrency must be an integer from 1 to 1000, got "${values.concurrency}"`);
  }
  const metricsPort = metricsPortOf(values['metrics-port'], io.env);
  if (values.id !== undefined && !/^[\w.:@-]{1,100}$/.test(values.id)) {
    throw new UsageError(`--id may hold letters, digits and . _ : @ - (at most 100), got "${values.id}"`);
  }
  const lockDurationMs = parseDuration(values['lock-duration']);
  if (lockDurationMs === undefined || lockDurationMs < 1000) {
    throw new UsageError(
      `--lock-duration must be a duration of at least 1s, got "${values['lock-duration']}"`,
    );
  }
  return {
    paths,
    tickMs,
    concurrency,
    metricsPort,
    metricsHost: values['metrics-host'],
    id: values.id,
    lockDurationMs,
    apply: !values['no-apply'],
    notify: !values['no-notify'],
    drills: !values['no-drills'],
  };
}

async function loadOrReport(
  paths: string[],
  io: CliIo,
  report: (message: string) => void,
): Promise<Config | undefined> {
  const result = await loadConfig(paths, { cwd: io.cwd });
  if (result.ok) return result.config;
  for (const problem of result.problems.filter((p) => p.severity === 'error')) report(formatProblem(problem));
  return undefined;
}

export async function runEvaluateCommand(args: string[], io: CliIo, signals: SignalSource): Promise<number> {
  const settings = parseSettings(args, io);
  const config = await loadOrReport(settings.paths, io, (line) => io.stderr(`${line}\n`));
  if (config === undefined) {
    io.stderr('quorumdns evaluate: invalid configuration, not started\n');
    return ExitCode.failure;
  }
  let redisUrl: string;
  try {
    redisUrl = await resolveRedisUrl(config, io.env);
  } catch (error) {
    io.stderr(
      `quorumdns evaluate: cannot resolve the Redis URL: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return ExitCode.failure;
  }
  const logger: Logger = jsonLineLogger(io.stderr, { component: 'evaluator' });
  const registry = new Registry();
  let evaluator: Evaluator;
  try {
    evaluator = await Evaluator.start({
      config,
      redisUrl,
      id: settings.id,
      tickMs: settings.tickMs,
      concurrency: settings.concurrency,
      lockDurationMs: settings.lockDurationMs,
      stalledIntervalMs: Math.min(5000, Math.ceil(settings.lockDurationMs / 2)),
      registry,
      logger,
      apply: settings.apply,
      notify: settings.notify,
      drills: settings.drills,
    });
  } catch (error) {
    logger.log('error', 'evaluator could not start', {
      redis: redactRedisUrl(redisUrl),
      error: error instanceof Error ? error.message : String(error),
    });
    return ExitCode.failure;
  }
  let health: HealthServer | undefined;
  if (settings.metricsPort !== undefined) {
    try {
      health = await startHealthServer({
        port: settings.metricsPort,
        host: settings.metricsHost,
        registry,
        ready: () => evaluator.readiness(),
      });
    } catch (error) {
      logger.log('error', 'metrics server could not start', {
        error: error instanceof Error ? error.message : String(error),
      });
      await evaluator.close();
      return ExitCode.failure;
    }
  }
  logger.log('info', 'evaluator started', {
    id: evaluator.id,
    services: Object.keys(config.services).length,
    tickMs: settings.tickMs,
    apply: settings.apply,
    notify: settings.notify,
    configHash: config.hash,
    redis: redactRedisUrl(redisUrl),
    metrics: health === undefined ? undefined : `http://${health.host}:${health.port}/metrics`,
  });

  let reloading = Promise.resolve();
  const onHangup = (): void => {
    reloading = reloading.then(async () => {
      const next = await loadOrReport(settings.paths, io, (line) =>
        logger.log('error', 'config reload refused', { problem: line }),
      );
      if (next === undefined) {
        evaluator.metrics.configReloads.inc({ result: 'refused' });
        logger.log(
          'error',
          'config reload refused: the configuration is invalid; the old one stays in force',
          {
            configHash: evaluator.currentConfig().hash,
          },
        );
        return;
      }
      try {
        const change = await evaluator.reload(next);
        logger.log('info', 'config reloaded', {
          configHash: next.hash,
          services: Object.keys(next.services).length,
          added: change.added.join(','),
          removed: change.removed.join(','),
        });
      } catch (error) {
        const refused = error instanceof ReloadRefusedError;
        logger.log('error', refused ? 'config reload refused' : 'config reload failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  };

  let onStop: () => void = () => undefined;
  const stopped = new Promise<void>((resolveStopped) => {
    let stopping = false;
    onStop = (): void => {
      if (stopping) {
        logger.log(
          'warn',
          'second stop signal: abandoning in-flight evaluations (another evaluator recovers them)',
        );
        void evaluator.close(true);
        return;
      }
      stopping = true;
      logger.log('info', 'stopping: finishing in-flight evaluations');
      void (async () => {
        await reloading.catch(() => undefined);
        await evaluator.close();
        await health?.close();
        resolveStopped();
      })();
    };
  });
  signals.on('SIGTERM', onStop);
  signals.on('SIGINT', onStop);
  signals.on('SIGHUP', onHangup);
  await stopped;
  signals.off('SIGTERM', onStop);
  signals.off('SIGINT', onStop);
  signals.off('SIGHUP', onHangup);
  logger.log('info', 'evaluator stopped', { evaluations: evaluator.getStats().evaluations });
  return ExitCode.ok;
}

export const evaluateCommand: Command = (args, io) => runEvaluateCommand(args, io, process);
