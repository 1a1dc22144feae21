/**
 * Drives the real evaluator the way probe workers do: after writing opinions (fixtures.ts `ProbeSide`), a
 * probe whose opinion flipped adds a deduplicated `evaluate` job for the service; the test then waits
 * (bounded polling) for the decision generation the evaluation commits and for the jobs that commit owes.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  EVALUATE_JOB_NAME,
  type EvaluateJobData,
  evaluateJobOptions,
  QueueName,
} from '../../../src/evaluator/queues';
import type { ServiceRecord } from '../../../src/evaluator/service-record';
import { StateStore } from '../../../src/evaluator/state-store';
import type { RedisKeyLayout } from '../../../src/redis/keys';
import { waitFor } from '../../support/wait-for';

export interface EvaluatorDriver {
  /** Adds the `evaluate` job a probe worker adds when an opinion flips. */
  flip(service: string): Promise<void>;
  /**
   * The service record once its generation is at least `generation` and the apply/notify jobs of the commit
   * are added: the evaluator commits first and adds the jobs right after, so a test that reads the jobs as
   * soon as the generation shows would race it.
   */
  waitForGeneration(service: string, generation: number, timeoutMs?: number): Promise<ServiceRecord>;
  close(): Promise<void>;
}

export function evaluatorDriver(redis: Redis, keys: RedisKeyLayout): EvaluatorDriver {
  const states = new StateStore(redis, keys);
  const flips = new Queue<EvaluateJobData>(QueueName.evaluate, {
    connection: redis,
    prefix: keys.queuePrefix,
  });
  return {
    async flip(service) {
      await flips.add(
        EVALUATE_JOB_NAME,
        { service, reason: 'flip', requestedAt: Date.now(), requestedBy: 'probe:r1:test' },
        evaluateJobOptions(service),
      );
    },
    waitForGeneration(service, generation, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const current = await states.read(service);
          if (current === undefined || current.generation < generation) return undefined;
          return (await states.readPendingDispatch(service)) === undefined ? current : undefined;
        },
        { what: `${service} generation ${generation}`, timeoutMs },
      );
    },
    close: () => flips.close(),
  };
}
