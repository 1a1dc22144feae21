import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EVALUATE_JOB_NAME, type EvaluateJobData, evaluateJobOptions, QueueName } from '../evaluator/queues';
import type { RedisKeyLayout } from '../redis/keys';

/**
 * Asks the evaluator to evaluate `service` now (reason `override`), so a freeze or a forced pool takes effect
 * at once instead of at the next scheduler tick. Deduplicated per service like a probe's flip job: several
 * operator changes in a row cost one evaluation that sees them all. With no evaluator running the job waits
 * in the queue; the override is stored either way.
 */
export async function requestEvaluation(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
  requestedBy: string,
): Promise<void> {
  // A shared connection: closing the queue leaves the command's own client open (it closes it itself).
  const queue = new Queue<EvaluateJobData>(QueueName.evaluate, {
    connection: redis,
    prefix: keys.queuePrefix,
  });
  try {
    await queue.add(
      EVALUATE_JOB_NAME,
      { service, reason: 'override', requestedAt: Date.now(), requestedBy },
      evaluateJobOptions(service),
    );
  } finally {
    await queue.close();
  }
}
