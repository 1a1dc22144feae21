/**
 * The JSON shape `@cdktf/hcl2json` gives a `.tf` file, and small readers over it. Literal values stay literal
 * (strings, numbers, booleans, lists and objects); every other expression becomes the string `${...}` holding
 * its source text, so a test can still read which variables, locals and resources it refers to.
 */
export type HclValue = string | number | boolean | null | HclValue[] | HclObject;
export interface HclObject {
  [key: string]: HclValue;
}

export function isObject(value: HclValue | undefined): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Blocks come as arrays (one entry per block of that name); attributes as plain values. */
export function blocks(value: HclValue | undefined): HclObject[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** The single block `name` of `parent`, or undefined. */
export function block(parent: HclObject, name: string): HclObject | undefined {
  return blocks(parent[name])[0];
}

/** An expression (not a literal): the whole value is `${...}`. */
export function isExpression(value: HclValue | undefined): value is string {
  return typeof value === 'string' && value.startsWith('${') && value.endsWith('}');
}

/** The source text of an expression without its `${` `}`; a literal string is returned as it is. */
export function expressionText(value: string): string {
  return isExpression(value) ? value.slice(2, -1) : value;
}

export interface Reference {
  kind: 'var' | 'local' | 'module' | 'data' | 'resource';
  /** `var.x` -> x; `data.t.n` -> t.n; `aws_x.n` -> aws_x.n; `module.m` -> m */
  name: string;
  /** The attribute read after the name, when there is one (`module.m.out` -> out). */
  attribute?: string;
}

const REFERENCE_RE =
  /(?<![\w.])(?:(var|local)\.([A-Za-z_][\w-]*)|(module)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?|(data)\.((?:aws|google)_[a-z0-9_]+\.[A-Za-z_][\w-]*)|((?:aws|google)_[a-z0-9_]+\.[A-Za-z_][\w-]*))/g;

/** Every reference in the interpolations of a string (nothing for a string without `${`). */
export function referencesIn(text: string): Reference[] {
  if (!text.includes('${')) return [];
  const found: Reference[] = [];
  for (const match of text.matchAll(REFERENCE_RE)) {
    if (match[1] && match[2]) found.push({ kind: match[1] as 'var' | 'local', name: match[2] });
    else if (match[3] && match[4]) found.push({ kind: 'module', name: match[4], attribute: match[5] });
    else if (match[6] && match[7]) found.push({ kind: 'data', name: match[7] });
    else if (match[8]) found.push({ kind: 'resource', name: match[8] });
  }
  return found;
}

/** Every string anywhere inside a value, with the path that leads to it (for messages). */
export function* stringsIn(
  value: HclValue | undefined,
  path = '',
): Generator<{ path: string; text: string }> {
  if (typeof value === 'string') {
    yield { path, text: value };
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* stringsIn(item, `${path}[${index}]`);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, path ? `${path}.${key}` : key);
  }
}

/**
 * The regular expressions inside `regex("...", x)` calls of an expression, as JavaScript RegExps, so a test
 * can try a variable's validation on sample values. (HCL string escapes are undone; RE2 syntax used here is
 * the subset JavaScript shares.)
 */
export function regexesIn(expression: string): RegExp[] {
  const found: RegExp[] = [];
  for (const match of expression.matchAll(/regex\("((?:[^"\\]|\\.)*)"/g)) {
    const source = JSON.parse(`"${match[1] ?? ''}"`) as string;
    found.push(new RegExp(source));
  }
  return found;
}
