/** How a value found in YAML is named in a message: `"10 seconds"`, `42`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string') {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return typeof value;
}

/** Like describeValue but never shows the value itself: for fields that hold (or should hold) secrets. */
export function describeKind(value: unknown): string {
  if (value === undefined || value === null) return describeValue(value);
  if (typeof value === 'string') return 'a literal string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return describeValue(value);
}
