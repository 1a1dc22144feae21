import { createHash } from 'node:crypto';

/**
 * A stable offset in [0, interval) for one (service, endpoint, region).
 *
 * WHY a hash and not a random number: the same endpoint keeps its phase across restarts and reloads
 * (its slots do not jump), different endpoints spread evenly over the interval (no burst at :00), and the
 * region is part of the key so the regions probing one endpoint do not all hit it in the same millisecond.
 */
export function phaseOffset(service: string, endpoint: string, region: string, interval: number): number {
  if (!(interval > 0)) throw new RangeError(`interval must be positive, got ${interval}`);
  const digest = createHash('sha256').update(`${service}\0${endpoint}\0${region}`).digest();
  // 48 bits are exact in a double and far more than any interval in ms needs.
  return digest.readUIntBE(0, 6) % Math.round(interval);
}

/** The first slot at or after `time` of a schedule with this phase and interval (slot k = phase + k * interval). */
export function firstSlotAtOrAfter(time: number, phase: number, interval: number): number {
  const k = Math.ceil((time - phase) / interval);
  return phase + k * interval;
}
