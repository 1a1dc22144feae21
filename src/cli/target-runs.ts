/**
 * What `quorumdns sync` and `quorumdns plan` share: the processor an operator command applies (or plans)
 * through — the same `ApplyProcessor` the apply worker uses, so a sync takes the target's lease, records
 * the applied status and writes the audit event exactly like an evaluator's apply — and running it for every
 * (service, provider target) with bounded concurrency, one target's failure never stopping the others.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, ProviderTarget, Service } from '../config/types';
import { JobDispatcher } from '../evaluator/job-dispatcher';
import { type ApplyJobData, type NotifyJobData, QueueName } from '../evaluator/queues';
import type { Logger } from '../probe/logger';
import type { RedisKeyLayout } from '../redis/keys';
import { ApplyLease } from '../providers/apply-lease';
import {
  ApplyProcessor,
  type ApplyProcessorOptions,
  type ApplyRequest,
  type ApplyResult,
  describeApplyError,
} from '../providers/apply-processor';
import type { AppliedTargetError } from '../providers/applied-target';
import { AdapterPool, type AdapterDeps, createAdapter } from '../providers/create-adapter';
import type { DnsProviderAdapter } from '../providers/provider-adapter';
import type { Provider } from '../config/types';
import { redact } from '../config/resolve-secret';
import type { CliIo } from './cli-io';

/** Targets applied at once: enough that one slow provider does not hold up the rest, few enough for rate limits. */
export const TARGET_CONCURRENCY = 4;

/** How long `sync` waits for a target whose lease an evaluator holds (an apply in progress). */
export const SYNC_LEASE_WAIT_MS = 120_000;

/** How the commands reach providers: the real adapters, or (in-process tests) adapters of their own. */
export interface CommandProviders {
  create: (provider: Provider, deps: AdapterDeps) => DnsProviderAdapter;
  /** Retry policy and clock for syncTarget. */
  sync?: ApplyProcessorOptions['sync'];
}

export const realProviders: CommandProviders = { create: createAdapter };

export interface CommandSession {
  processor: ApplyProcessor;
  close(): Promise<void>;
}

/**
 * A processor for one command run. `notify`: add the notify jobs of apply events (sync does; plan writes
 * nothing, so it needs no queue).
 */
export function openCommandSession(input: {
  config: Config;
  redis: Redis;
  keys: RedisKeyLayout;
  io: CliIo;
  by: string;
  notify: boolean;
  providers: CommandProviders;
}): CommandSession {
  const { config, redis, keys, io, providers } = input;
  const adapters = new AdapterPool(
    { redis, keyPrefix: config.deployment.redis.keyPrefix, env: io.env },
    providers.create,
  );
  const queues: Array<Queue<ApplyJobData> | Queue<NotifyJobData>> = [];
  let dispatcher: JobDispatcher | undefined;
  if (input.notify) {
    const applyQueue = new Queue<ApplyJobData>(QueueName.apply, {
      connection: redis,
      prefix: keys.queuePrefix,
    });
    const notifyQueue = new Queue<NotifyJobData>(QueueName.notify, {
      connection: redis,
      prefix: keys.queuePrefix,
    });
    queues.push(applyQueue, notifyQueue);
    dispatcher = new JobDispatcher(applyQueue, notifyQueue);
  }
  const options: ApplyProcessorOptions = {
    redis,
    keys,
    config: () => config,
    adapters,
    lease: new ApplyLease(redis, keys),
    logger: commandLogger(io),
    id: input.by,
  };
  if (dispatcher !== undefined) options.dispatcher = dispatcher;
  if (providers.sync !== undefined) options.sync = providers.sync;
  return {
    processor: new ApplyProcessor(options),
    async close() {
      await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
      await adapters.close();
    },
  };
}

/**
 * The processor's log lines as a command shows them: warnings on stderr in words (an unreadable drill
 * overlay, a lost notification), everything else is said by the command's own output.
 */
function commandLogger(io: CliIo): Logger {
  return {
    log(level, message, fields = {}) {
      if (level === 'info' || message === 'dns apply failed') return;
      const details = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(' ');
      io.stderr(redact(`warning: ${message}${details === '' ? '' : ` (${details})`}\n`));
    },
  };
}

/** One (service, provider target) of the config, with its provider's type for messages. */
export interface TargetRef {
  service: Service;
  target: ProviderTarget;
  providerType: string;
}

export interface TargetRun {
  ref: TargetRef;
  result?: ApplyResult;
  error?: AppliedTargetError;
}

/** Every provider target of the services, in service order then config order. */
export function targetsOf(config: Config, services: Service[]): TargetRef[] {
  return services.flatMap((service) =>
    service.providers.map((target) => ({
      service,
      target,
      providerType: config.providers[target.provider]?.type ?? 'unknown',
    })),
  );
}

/** Runs the processor for every target, at most `TARGET_CONCURRENCY` at once; results in target order. */
export async function runTargets(
  processor: ApplyProcessor,
  targets: TargetRef[],
  request: Omit<ApplyRequest, 'service' | 'provider' | 'zone'>,
): Promise<TargetRun[]> {
  const runs: TargetRun[] = new Array(targets.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      const ref = targets[index];
      if (ref === undefined) return;
      try {
        const result = await processor.apply({
          ...request,
          service: ref.service.name,
          provider: ref.target.provider,
          zone: ref.target.zone,
        });
        runs[index] = { ref, result };
      } catch (error) {
        runs[index] = { ref, error: describeApplyError(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TARGET_CONCURRENCY, targets.length) }, lane));
  return runs;
}

/** `api at route53 aws-main/Z123`. */
export function targetName(ref: TargetRef): string {
  return `${ref.service.name} at ${ref.providerType} ${ref.target.provider}/${ref.target.zone}`;
}
