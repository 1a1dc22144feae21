/** `250ms`, `1.5s`, `45s`, `5m`, `3m 20s`, `1h`, `2h 5m`, `3d 4h`: durations as people write them. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000 && ms % 1000 !== 0) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const totalSeconds = Math.round(ms / 1000);
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  // Two units are enough to read at a glance.
  return parts.slice(0, 2).join(' ') || '0s';
}

/** An ISO-8601 UTC time, or the raw number when it is not a representable time. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}
