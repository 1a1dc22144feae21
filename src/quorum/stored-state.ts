import type { Service } from '../config/types';
import { initialState } from './initial-state';
import type { ServiceState } from './types';

/**
 * A previous state as read back from storage, with every field present. A state written by an
 * older version (or damaged by hand) must not make the core throw in the middle of an outage;
 * missing parts take their initial value.
 */
export function completeStoredState(service: Service, stored: ServiceState, now: number): ServiceState {
  // The initial state is only needed to fill a part that is missing: a state this version wrote has them all,
  // and building it on every evaluation of every service is wasted work.
  let initialCache: ServiceState | undefined;
  const initial = (): ServiceState => (initialCache ??= initialState(service, now));
  const objectOr = <T extends object>(value: unknown, fallback: () => T): T =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : fallback();
  const arrayOr = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const decisionOr = (value: unknown, fallback: () => ServiceState['decision']): ServiceState['decision'] => {
    const candidate = objectOr<Partial<ServiceState['decision']>>(value, () => ({}));
    return Array.isArray(candidate.pools) ? (candidate as ServiceState['decision']) : fallback();
  };
  const complete: ServiceState = {
    endpoints: objectOr(stored.endpoints, () => initial().endpoints),
    pools: objectOr(stored.pools, () => initial().pools),
    decision: decisionOr(stored.decision, () => initial().decision),
    lastGoodDecision: decisionOr(stored.lastGoodDecision, () => initial().lastGoodDecision),
    failOpen: stored.failOpen === true,
    suspectRegions: arrayOr(stored.suspectRegions),
    staleRegions: arrayOr(stored.staleRegions),
    held: objectOr(stored.held, () => ({})),
    activeOverrides: arrayOr(stored.activeOverrides),
    evaluatedAt: typeof stored.evaluatedAt === 'number' ? stored.evaluatedAt : now,
  };
  if (stored.withheldDecision !== undefined) {
    complete.withheldDecision = decisionOr(stored.withheldDecision, () => initial().decision);
  }
  return complete;
}
