/**
 * The provider targets part of `quorumdns status`: per (provider, zone) of a service, the generation applied
 * there next to the decision generation, the sync state, the change id and the last error — read from the
 * apply processor's `applied` hash.
 */
import type { Config, Service } from '../config/types';
import { parseAppliedTarget } from '../providers/applied-store';
import { appliedField, type AppliedTarget } from '../providers/applied-target';
import { CorruptDataError } from '../evaluator/errors';
import type { ProviderTargetStatus } from './snapshot-types';

/**
 * One view per configured target of `service`, in config order. A corrupt stored value becomes a problem
 * line and the target is shown as never applied.
 */
export function targetStatuses(input: {
  config: Config;
  service: Service;
  /** The service's decision generation (0 when never evaluated). */
  decisionGeneration: number;
  /** The `applied` hash as read (HGETALL). */
  applied: Record<string, string>;
  appliedKey: string;
  problems: string[];
}): ProviderTargetStatus[] {
  return input.service.providers.map((target) => {
    const field = appliedField(target.provider, target.zone);
    const text = input.applied[field];
    let stored: AppliedTarget | undefined;
    if (text !== undefined) {
      try {
        stored = parseAppliedTarget(input.appliedKey, field, text);
      } catch (error) {
        if (!(error instanceof CorruptDataError)) throw error;
        input.problems.push(error.message);
      }
    }
    const appliedGeneration = stored?.generation ?? null;
    return {
      provider: target.provider,
      providerType: input.config.providers[target.provider]?.type ?? null,
      zone: target.zone,
      mode: target.mode,
      appliedGeneration,
      decisionGeneration: input.decisionGeneration,
      current: appliedGeneration !== null && appliedGeneration >= input.decisionGeneration,
      syncState: stored?.syncState ?? null,
      changeIds: stored?.changeIds ?? [],
      attemptedGeneration: stored?.attemptedGeneration ?? null,
      error:
        stored?.error === undefined
          ? null
          : {
              code: stored.error.code,
              message: stored.error.message,
              remoteCode: stored.error.remoteCode ?? null,
            },
      updatedAt: stored?.updatedAt ?? null,
      appliedAt: stored?.appliedAt ?? null,
    };
  });
}
