import { UsageError } from './cli-io';

/**
 * The port of the `/metrics`, `/healthz`, `/readyz` server of a long-running command: `--metrics-port`, else
 * the environment's `QUORUMDNS_METRICS_PORT` (the container image sets it, so its HEALTHCHECK finds the
 * server even when a deployment forgets the flag), else none. 0 = any free port.
 */
export function metricsPortOf(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const [text, source] =
    flag !== undefined ? [flag, '--metrics-port'] : [env.QUORUMDNS_METRICS_PORT, 'QUORUMDNS_METRICS_PORT'];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new UsageError(`${source} must be a port number (0 = any free port), got "${text}"`);
  }
  return value;
}
