/**
 * Which events of a service go into a channel's next message (pure: no I/O, no clock of its own).
 *
 * The events after the channel's cursor are read in stream order. The first one routed to the channel opens
 * the group; every event whose time (`at`, Redis ms) is within `quietPeriod` of it joins, up to the first
 * event that is later. Events of one evaluation share their `at` and are contiguous in the stream (one commit
 * script), so they always travel together, even with a quiet period of 0. The group is sent once the quiet
 * period has passed; events not routed to the channel are only stepped over (the cursor moves past them),
 * except the decision of a commit that has routed events: see `withTheirDecision`.
 */
import type { StoredEvent } from '../evaluator/service-record';

export interface GroupInput {
  /** Events after the cursor, in stream order. */
  events: readonly StoredEvent[];
  /** Whether the channel takes the event (route and severity). */
  routed: (event: StoredEvent) => boolean;
  quietPeriodMs: number;
  /** Redis ms now. */
  now: number;
  /** Routed events older than this (by `at`) are stale news: stepped over, not sent. */
  maxEventAgeMs: number;
}

export type NextGroup =
  /** No routed event after the cursor. */
  | { kind: 'none' }
  /** A group is open; its quiet period ends at `until` (Redis ms). */
  | { kind: 'wait'; until: number; first: StoredEvent }
  /** A group to send: `events` are the routed ones; the cursor moves to `throughId` once it is settled. */
  | { kind: 'ready'; events: StoredEvent[]; throughId: string }
  /** Routed events too old to send: the cursor moves to `throughId` without a message. */
  | { kind: 'expired'; events: StoredEvent[]; throughId: string };

export function nextGroup(input: GroupInput): NextGroup {
  const { events, routed, now } = input;
  const firstIndex = events.findIndex(routed);
  const first = events[firstIndex];
  if (first === undefined) return { kind: 'none' };
  const stale = (event: StoredEvent): boolean => now - event.at > input.maxEventAgeMs;
  if (stale(first)) {
    let end = firstIndex;
    while (end + 1 < events.length) {
      const next = events[end + 1] as StoredEvent;
      if (routed(next) && !stale(next)) break;
      end += 1;
    }
    const through = events[end] as StoredEvent;
    return { kind: 'expired', events: events.slice(0, end + 1).filter(routed), throughId: through.id };
  }
  const until = first.at + Math.max(0, input.quietPeriodMs);
  if (until > now) return { kind: 'wait', until, first };
  let end = firstIndex;
  while (end + 1 < events.length && (events[end + 1] as StoredEvent).at <= until) end += 1;
  const through = events[end] as StoredEvent;
  return {
    kind: 'ready',
    events: withTheirDecision(events.slice(0, end + 1), routed),
    throughId: through.id,
  };
}

/**
 * The routed events of `window`, plus the `decision-changed` event of every commit (same `at` and
 * generation) that has a routed event. A message is about one decision: a restore is routed at `warning`
 * (it clears a drain), but the decision it causes is only `info`; without it a `warning` channel would be
 * told "pool a restored (answer unchanged)", with no DNS change, while the answer did change.
 */
function withTheirDecision(
  window: readonly StoredEvent[],
  routed: (event: StoredEvent) => boolean,
): StoredEvent[] {
  const commit = (event: StoredEvent): string => `${event.at}/${event.generation}`;
  const routedCommits = new Set(window.filter(routed).map(commit));
  return window.filter(
    (event) => routed(event) || (event.kind === 'decision-changed' && routedCommits.has(commit(event))),
  );
}
