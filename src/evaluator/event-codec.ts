/**
 * How one event is written into a stream entry: a single field `event` holding compact JSON. One field keeps
 * the Lua commit script simple and the entry self-describing; the stream id is the event id.
 */
import { CorruptEventError } from './errors';
import { parseStoredJson, storedEventSchema } from './redis-schemas';
import type { StoredEvent, StoredEventInput } from './service-record';

export const EVENT_FIELD = 'event';

export function encodeEvent(event: StoredEventInput): string {
  return JSON.stringify(event);
}

/** A stream entry as ioredis returns it: `[id, [field, value, field, value, ...]]`. */
export type StreamEntry = [id: string, fields: string[]];

export function decodeEvent(key: string, entry: StreamEntry): StoredEvent {
  const [id, fields] = entry;
  const at = fields.indexOf(EVENT_FIELD);
  const text = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
  const fail = (field: string, problem: string): never => {
    throw new CorruptEventError(key, `entry ${id} ${field}`, problem);
  };
  if (text === undefined) return fail(EVENT_FIELD, 'missing');
  const event = parseStoredJson(text, storedEventSchema, EVENT_FIELD, fail);
  return { ...(event as unknown as StoredEventInput), id };
}

/** Orders stream ids numerically (`<ms>-<seq>`); ids of different streams compare by time, then sequence. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
