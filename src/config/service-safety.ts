/**
 * The safety rules of one service, merged per field over defaults.safety, and the one timing that
 * cannot work: a failbackAfter longer than the ceiling flap damping may raise it to.
 */
import { BUILTIN_SERVICE } from './builtin-defaults';
import type { RawDefaults, RawService } from './config-schema';
import { durationMs, formatDuration } from './duration';
import type { Entry } from './merge-fragments';
import type { Problem } from './problem';
import type { Millis, Safety } from './types';
import { below, type Layered, type Origin, problemAt } from './yaml-source';

export function resolveSafety(
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  defaults: Entry<RawDefaults> | undefined,
  problems: Problem[],
): Safety {
  type SafetyField = 'maxDrainedPools' | 'failback' | 'failbackAfter' | 'flapWindow' | 'maxFailbackAfter';
  const pick = <K extends SafetyField>(
    field: K,
  ): Layered<NonNullable<NonNullable<RawService['safety']>[K]>> | undefined => {
    const own = raw.safety?.[field];
    if (own !== undefined) return { value: own as NonNullable<typeof own>, origin: at('safety', field) };
    const inherited = defaults?.value.safety?.[field];
    if (inherited !== undefined && defaults) {
      return {
        value: inherited as NonNullable<typeof inherited>,
        origin: below(defaults.origin, 'safety', field),
      };
    }
    return undefined;
  };
  const duration = (
    field: 'failbackAfter' | 'flapWindow' | 'maxFailbackAfter',
    builtin: Millis,
  ): Layered<Millis> => {
    const written = pick(field);
    return written ? { value: durationMs(written.value), origin: written.origin } : { value: builtin };
  };
  const failbackAfter = duration('failbackAfter', BUILTIN_SERVICE.failbackAfter);
  const flapWindow = duration('flapWindow', BUILTIN_SERVICE.flapWindow);
  const maxFailbackAfter = duration('maxFailbackAfter', BUILTIN_SERVICE.maxFailbackAfter);
  if (failbackAfter.value > maxFailbackAfter.value) {
    const origin = failbackAfter.origin ?? maxFailbackAfter.origin;
    if (origin) {
      problems.push(
        problemAt(
          origin,
          `failbackAfter ${formatDuration(failbackAfter.value)} is longer than maxFailbackAfter ${formatDuration(maxFailbackAfter.value)}${
            maxFailbackAfter.origin ? '' : ' (the default)'
          }: flap damping could only shorten it`,
        ),
      );
    }
  }
  const maxDrainedPools = pick('maxDrainedPools')?.value;
  return {
    ...(maxDrainedPools !== undefined ? { maxDrainedPools } : {}),
    failback: pick('failback')?.value ?? BUILTIN_SERVICE.failback,
    failbackAfter: failbackAfter.value,
    flapWindow: flapWindow.value,
    maxFailbackAfter: maxFailbackAfter.value,
  };
}
