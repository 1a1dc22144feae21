/**
 * Fitting a message into a platform's total size limit (Discord's 6,000 embed characters, Teams' ~28 KB,
 * Google Chat's 32,000 bytes). Per-field limits are applied by each formatter; when the fields together are
 * still too big, this shrinks them in the order a reader misses them least: the explanation first (it is
 * also in `quorumdns status` and the audit log), then every long section alike.
 */

/** Character budgets of the long, variable sections of a message. */
export interface SectionLimits {
  summary: number;
  dns: number;
  pools: number;
  votes: number;
  explanation: number;
}

/** Below this a section is not worth showing cut further; the last resort scales down to it. */
const FLOOR = 120;

/** The explanation first shrinks to this much, so a message keeps some of it while other parts are cut. */
const EXPLANATION_KEPT = 600;

/**
 * The payload built with the largest limits (starting at `base`) whose `size` is within `budget`. Never
 * throws; if even the smallest limits do not fit (a budget below the fixed parts), the smallest is returned.
 */
export function fitPayload<T>(
  base: SectionLimits,
  build: (limits: SectionLimits) => T,
  size: (payload: T) => number,
  budget: number,
): T {
  let limits = { ...base };
  let payload = build(limits);
  let over = size(payload) - budget;
  // First the explanation, down to a short excerpt.
  const kept = Math.min(base.explanation, EXPLANATION_KEPT);
  while (over > 0 && limits.explanation > kept) {
    limits = { ...limits, explanation: Math.max(kept, limits.explanation - over - 64) };
    payload = build(limits);
    over = size(payload) - budget;
  }
  // Then every section alike, halving while it helps.
  for (let round = 0; over > 0 && round < 12; round += 1) {
    const half = (value: number): number => (value === 0 ? 0 : Math.max(FLOOR, Math.floor(value / 2)));
    const next = {
      summary: half(limits.summary),
      dns: half(limits.dns),
      pools: half(limits.pools),
      votes: half(limits.votes),
      explanation: half(limits.explanation),
    };
    if (JSON.stringify(next) === JSON.stringify(limits)) break;
    limits = next;
    payload = build(limits);
    over = size(payload) - budget;
  }
  // Last resort: no explanation at all.
  if (over > 0 && limits.explanation > 0) payload = build({ ...limits, explanation: 0 });
  return payload;
}
