/**
 * Runs operator commands in-process through main() with a captured CliIo, against the real Redis, with a
 * config file of its own (random key prefix) in a temp dir. Also writes what an evaluator and probe workers
 * would have written, through the real stores and recorder, so status reads real data.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { main } from '../../../src/cli/main';
import { loadConfigOrThrow } from '../../../src/config/load-config';
import type { Config } from '../../../src/config/types';
import { deleteKeys } from '../../support/redis-test-keys';
import { waitFor } from '../../support/wait-for';
import { captureIo } from '../../support/capture-io';

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Until src/cli/commands.ts lists the operator commands, tests add them (only those missing), so main()
 * dispatches them exactly as the binary will.
 */

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  isTty?: boolean;
  cwd?: string;
}

/** Three probe regions; onprem-fra is the one tests make stale. */
export const REGIONS = ['us-east-1', 'europe-west1', 'onprem-fra'] as const;

export function configText(prefix: string, redisUrl: string = SHARED_REDIS_URL): string {
  return `deployment:
  id: operator-test
  redis: { url: '${redisUrl}', keyPrefix: ${prefix} }
probeRegions: [us-east-1, europe-west1, onprem-fra]
providers:
  aws-main: { type: route53, hostedZoneId: Z0123456789ABC }
defaults:
  check: { type: tcp, port: 443, interval: 10s, timeout: 3s }
  safety: { failbackAfter: 5m }
services:
  api:
    names: [api.example.com]
    pools:
      aws-use1:
        endpoints:
          - { name: use1-a, address: 192.0.2.10 }
          - { name: use1-b, address: 192.0.2.11 }
      gcp-euw1:
        endpoints:
          - { name: euw1-a, address: 198.51.100.20 }
    providers:
      - { provider: aws-main }
  www:
    names: [www.example.com]
    pools:
      main:
        endpoints:
          - { name: www-a, address: 192.0.2.30 }
      backup:
        endpoints:
          - { name: www-b, address: 198.51.100.30 }
    providers:
      - { provider: aws-main }
`;
}

export interface OperatorHarness {
  prefix: string;
  dir: string;
  configPath: string;
  config: Config;
  redis: Redis;
  /** Runs `quorumdns <args>` with `--config` appended. */
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  /** Runs `quorumdns <args>` exactly as given. */
  runRaw(args: string[], options?: RunOptions): Promise<RunResult>;
  dispose(): Promise<void>;
}

export async function createOperatorHarness(name: string): Promise<OperatorHarness> {
  const prefix = `qdns-test-op-${name}-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `qdns-operator-${name}-`));
  const configPath = join(dir, 'quorumdns.yaml');
  writeFileSync(configPath, configText(prefix));
  const { config } = await loadConfigOrThrow([configPath]);
  const redis = new Redis(SHARED_REDIS_URL);
  const runRaw = async (args: string[], options: RunOptions = {}): Promise<RunResult> => {
    const io = captureIo({
      env: { USER: 'test-user', ...options.env },
      cwd: options.cwd ?? dir,
      isTty: options.isTty ?? false,
    });
    const code = await main(args, io);
    return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
  };
  return {
    prefix,
    dir,
    configPath,
    config,
    redis,
    runRaw,
    run: (args, options) => runRaw([...args, '--config', configPath], options),
    async dispose() {
      await deleteKeys(redis, prefix);
      await redis.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `condition` holds or the deadline passes (never a tuned sleep). */
export function eventually<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  return waitFor(condition, { what, timeoutMs, intervalMs: 25 }) as Promise<T>;
}
