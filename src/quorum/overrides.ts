import type { Service } from '../config/types';
import type { ForcePoolOverride, FreezeOverride, Override } from './types';

export interface IgnoredOverride {
  override: Override;
  why: string;
}

export interface ActiveOverrides {
  /** Every override in force, sorted by id. */
  active: Override[];
  freezes: FreezeOverride[];
  /** pool -> the force-pool override that decides it. */
  forced: Record<string, ForcePoolOverride>;
  /** Overrides in force that decide nothing (unknown pool, superseded by a newer one), with why. */
  ignored: IgnoredOverride[];
}

/** An override is in force until `now >= expiresAt`; without `expiresAt` until it is deleted. */
export function isOverrideActive(override: Override, now: number): boolean {
  return override.expiresAt === undefined || now < override.expiresAt;
}

/**
 * The overrides in force at `now`. Several force-pool overrides on one pool: the newest
 * (`createdAt`, then the larger id) wins — the operator's latest word — and the others are
 * reported as ignored. A force-pool naming a pool the service does not have is ignored too.
 */
export function activeOverrides(
  service: Service,
  overrides: readonly Override[],
  now: number,
): ActiveOverrides {
  const active = overrides
    .filter((override) => isOverrideActive(override, now))
    .sort((a, b) => compareStrings(a.id, b.id));
  const poolNames = new Set(service.pools.map((pool) => pool.name));
  const freezes: FreezeOverride[] = [];
  const forced: Record<string, ForcePoolOverride> = {};
  const ignored: IgnoredOverride[] = [];
  const newestFirst = [...active].sort((a, b) => b.createdAt - a.createdAt || compareStrings(b.id, a.id));
  for (const override of newestFirst) {
    if (override.kind === 'freeze') {
      freezes.push(override);
    } else if (!poolNames.has(override.pool)) {
      ignored.push({ override, why: `service ${service.name} has no pool ${override.pool}` });
    } else if (Object.prototype.hasOwnProperty.call(forced, override.pool)) {
      ignored.push({ override, why: `superseded by the newer override ${forced[override.pool]?.id ?? ''}` });
    } else {
      forced[override.pool] = override;
    }
  }
  freezes.sort((a, b) => compareStrings(a.id, b.id));
  ignored.sort((a, b) => compareStrings(a.override.id, b.override.id));
  return { active, freezes, forced, ignored };
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
