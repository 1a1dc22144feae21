import { createHash } from 'node:crypto';
import type { Config } from './types';

/**
 * JSON with object keys sorted at every level and `undefined` fields left out, so two configs that
 * mean the same thing serialise to the same bytes whatever order their files were written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON has no undefined, NaN or Infinity: the resolved config never holds them, refuse rather than guess.
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new TypeError(`not canonical JSON: ${String(value)}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * sha256 (hex) of the canonical resolved config, without `sources` (where the files lie does not
 * change what they mean) and without `hash` itself. Heartbeats carry it to reveal mixed versions.
 */
export function configHash(config: Omit<Config, 'hash'> | Config): string {
  const { sources: _sources, ...rest } = config;
  const meaning: Record<string, unknown> = { ...rest };
  delete meaning.hash;
  return createHash('sha256').update(canonicalJson(meaning)).digest('hex');
}
