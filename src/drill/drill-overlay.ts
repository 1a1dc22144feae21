/**
 * The drill overlay: what a running drill stores at `ServiceKeys.drill` (a JSON string with a PX expiry).
 *
 * Probe workers report the endpoints of `pools` as failing (class `drill`, observation tagged `drill`) while
 * it exists, so the real pipeline runs end to end; the evaluator tags the service's events as drill events;
 * the apply processor plans without writing when `mode` is `dry`. The expiry (`endsAt` plus a grace period)
 * is the backstop that ends a drill whose runner crashed: nothing has to clean up after it.
 */
import { z } from 'zod';

export interface DrillOverlay {
  /** Unique id of the drill run, e.g. `drill-20261126-0201-api-aws-use1`. */
  id: string;
  service: string;
  /** Pools whose endpoints are reported failing. */
  pools: string[];
  /** `dry`: plan only, DNS is not changed; `live`: DNS changes for real. */
  mode: 'dry' | 'live';
  /** Redis-clock epoch ms. */
  startedAt: number;
  /** Redis-clock epoch ms after which probes report the real results again. */
  endsAt: number;
  /** Who started it (`--by`, the OS user, or `scheduler:<schedule id>`). */
  by: string;
}

export const drillOverlaySchema = z.strictObject({
  id: z.string().min(1),
  service: z.string().min(1),
  pools: z.array(z.string().min(1)).min(1),
  mode: z.enum(['dry', 'live']),
  startedAt: z.number().int().nonnegative(),
  endsAt: z.number().int().nonnegative(),
  by: z.string().min(1),
});

export type DrillOverlayParse = { ok: true; overlay: DrillOverlay } | { ok: false; problem: string };

/** Parses the stored overlay; a bad value is reported (never thrown) so a reader can log it and go on. */
export function parseDrillOverlay(key: string, text: string): DrillOverlayParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${key}: drill overlay is not JSON` };
  }
  const parsed = drillOverlaySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    return { ok: false, problem: `${key}: drill overlay field ${field}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, overlay: parsed.data };
}

/** True while the overlay applies at `now` (Redis clock). */
export function overlayActive(overlay: DrillOverlay, now: number): boolean {
  return now >= overlay.startedAt && now < overlay.endsAt;
}
