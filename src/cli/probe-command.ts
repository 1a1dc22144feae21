import { Registry } from 'prom-client';
import { type HealthServer, startHealthServer } from '../api/health-server';
import { ConfigError, loadConfigOrThrow } from '../config/load-config';
import { formatProblem, type Problem } from '../config/problem';
import { SecretUnavailableError } from '../config/resolve-secret';
import type { Config } from '../config/types';
import { createProbeMetrics, type ProbeMetrics } from '../metrics/probe-metrics';
import type { CheckRunner } from '../probe/check-runner';
import {
  type ConnectViaMap,
  formatConnectAddress,
  parseConnectVia,
  ViaSyntaxError,
} from '../probe/checks/connect-via';
import { runCheck } from '../probe/checks/run-check';
import { jsonLineLogger } from '../probe/logger';
import { HeaderSecretError, UnknownProbeRegionError } from '../probe/probe-target';
import { defaultWorkerId, ProbeWorker, type ProbeWorkerOptions } from '../probe/worker';
import { type CliIo, type Command, ExitCode, UsageError } from './cli-io';
import { metricsPortOf } from './metrics-port';
import { parseArgs } from './parse-args';

/** Where the command receives SIGTERM / SIGINT / SIGHUP from (the process, or a test). */
export interface SignalSource {
  on(signal: NodeJS.Signals, handler: () => void): unknown;
  off(signal: NodeJS.Signals, handler: () => void): unknown;
}

export interface ProbeCommandDeps {
  /** @defaultValue process */
  signals?: SignalSource;
  /** @defaultValue loadConfigOrThrow */
  loadConfig?: (
    paths: string[],
    options: { cwd: string },
  ) => Promise<{ config: Config; warnings: Problem[] }>;
  /** Extra worker options (tests inject a check runner or a clock). */
  workerOptions?: Partial<ProbeWorkerOptions>;
}

function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return value;
}

function connectViaOf(values: string[] | undefined): ConnectViaMap {
  try {
    return parseConnectVia(values ?? []);
  } catch (error) {
    if (error instanceof ViaSyntaxError) throw new UsageError(error.message);
    throw error;
  }
}

/** The real check runner, connecting through the `--via` addresses. */
function runCheckVia(connectVia: ConnectViaMap): CheckRunner {
  return (check, options) => runCheck(check, { ...options, connectVia });
}

function printProblems(io: CliIo, problems: readonly Problem[]): void {
  for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
}

/**
 * `quorumdns probe --region <name> --config <path...> [--concurrency n] [--worker-id id] [--buffer-size n]
 *   [--metrics-port n] [--metrics-host 127.0.0.1] [--via <host:port>=<host:port> ...]`
 *
 * Runs until SIGTERM or SIGINT (graceful: in-flight checks finish, observations are flushed, exit 0).
 * SIGHUP re-reads the config files: a valid config is applied (unchanged endpoints keep their schedule),
 * an invalid one is logged and the running config stays. Logs are JSON lines on stdout. With
 * `--metrics-port`, `/metrics`, `/healthz` and `/readyz` are served until the worker has stopped.
 * `--via` (labs and tests only) connects to another address when a check targets the given one, to put a
 * fault-injecting proxy in this region's path (docs/probe-worker.md).
 */
export function createProbeCommand(deps: ProbeCommandDeps = {}): Command {
  return async (args, io) => {
    const { values, positionals } = parseArgs(args, {
      region: { type: 'string' },
      config: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'worker-id': { type: 'string' },
      'buffer-size': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string', default: '127.0.0.1' },
      via: { type: 'string', multiple: true },
    });
    const region = values.region;
    if (region === undefined || region === '') throw new UsageError('--region is required');
    // `--config a.yaml b.yaml` reads as one flag and a positional: both are config paths.
    const paths = [...(values.config ?? []), ...positionals];
    if (paths.length === 0 && io.env.QUORUMDNS_CONFIG) paths.push(io.env.QUORUMDNS_CONFIG);
    if (paths.length === 0) throw new UsageError('--config is required (or set QUORUMDNS_CONFIG)');
    const concurrency = positiveInteger('--concurrency', values.concurrency);
    const bufferCapacity = positiveInteger('--buffer-size', values['buffer-size']);
    const metricsPort = metricsPortOf(values['metrics-port'], io.env);
    const metricsHost = values['metrics-host'];
    const connectVia = connectViaOf(values.via);
    const load = deps.loadConfig ?? loadConfigOrThrow;
    const signals = deps.signals ?? process;

    let loaded: { config: Config; warnings: Problem[] };
    try {
      loaded = await load(paths, { cwd: io.cwd });
    } catch (error) {
      if (error instanceof ConfigError) {
        printProblems(io, error.problems);
        io.stderr(`quorumdns probe: the configuration is invalid; not starting\n`);
        return ExitCode.failure;
      }
      throw error;
    }
    printProblems(io, loaded.warnings);

    const workerId = values['worker-id'] || defaultWorkerId();
    const logger = jsonLineLogger(io.stdout, { region, workerId });
    let worker: ProbeWorker;
    try {
      worker = await ProbeWorker.create({
        config: loaded.config,
        region,
        workerId,
        concurrency,
        bufferCapacity,
        logger,
        env: io.env,
        ...(connectVia.size > 0 ? { runCheck: runCheckVia(connectVia) } : {}),
        ...deps.workerOptions,
      });
    } catch (error) {
      if (error instanceof UnknownProbeRegionError) {
        io.stderr(`quorumdns probe: ${error.message}\n`);
        return ExitCode.usage;
      }
      if (error instanceof HeaderSecretError || error instanceof SecretUnavailableError) {
        io.stderr(`quorumdns probe: ${error.message}\n`);
        return ExitCode.failure;
      }
      throw error;
    }

    if (connectVia.size > 0) {
      // Loud on purpose: a production worker rerouting its checks would test the wrong addresses.
      logger.log('warn', 'checks are rerouted (--via, a lab and test feature)', {
        via: [...connectVia].map(([from, to]) => `${from}=${formatConnectAddress(to)}`).join(','),
      });
    }

    let metrics: ProbeMetrics | undefined;
    let health: HealthServer | undefined;
    if (metricsPort !== undefined) {
      const registry = new Registry();
      metrics = createProbeMetrics(registry, worker);
      try {
        health = await startHealthServer({
          port: metricsPort,
          host: metricsHost,
          registry,
          ready: () => worker.readiness(),
        });
      } catch (error) {
        io.stderr(
          `quorumdns probe: metrics server could not start: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        await worker.stop();
        return ExitCode.failure;
      }
      logger.log('info', 'metrics server started', {
        metrics: `http://${hostForUrl(health.host)}:${health.port}/metrics`,
      });
    }

    return new Promise<number>((resolve) => {
      let reloading = Promise.resolve();
      const reload = () => {
        // Reloads run one after another: two quick SIGHUPs must not apply an older file last.
        reloading = reloading.then(async () => {
          logger.log('info', 'SIGHUP: reloading config', { files: paths.join(',') });
          try {
            const next = await load(paths, { cwd: io.cwd });
            const result = await worker.reload(next.config);
            metrics?.configReloads.inc({ result: result.ok ? 'applied' : 'refused' });
          } catch (error) {
            metrics?.configReloads.inc({ result: 'refused' });
            const problems = error instanceof ConfigError ? error.problems : [];
            logger.log('error', 'config reload refused; keeping the running config', {
              error: error instanceof ConfigError ? 'invalid configuration' : String(error),
              problems:
                problems
                  .filter((p) => p.severity === 'error')
                  .map(formatProblem)
                  .join('\n') || undefined,
            });
          }
        });
      };
      const shutdown = (signal: NodeJS.Signals) => () => {
        signals.off('SIGTERM', onTerm);
        signals.off('SIGINT', onInt);
        signals.off('SIGHUP', reload);
        logger.log('info', `${signal}: stopping`);
        void reloading
          .then(() => worker.stop())
          // The health server outlives the worker's stop, so /readyz says "shutting down" meanwhile.
          .finally(() => health?.close())
          .then(
            () => resolve(ExitCode.ok),
            (error: unknown) => {
              io.stderr(`quorumdns probe: stop failed: ${String(error)}\n`);
              resolve(ExitCode.failure);
            },
          );
      };
      const onTerm = shutdown('SIGTERM');
      const onInt = shutdown('SIGINT');
      signals.on('SIGTERM', onTerm);
      signals.on('SIGINT', onInt);
      signals.on('SIGHUP', reload);
      worker.start();
    });
  };
}

/** An IPv6 literal needs brackets in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export const probeCommand: Command = createProbeCommand();
