/**
 * A deliberately tiny JSON Schema checker for the keywords quorumdns.schema.json uses, so the
 * tests can prove that editors would accept the examples (and refuse typos) without adding ajv.
 * Unknown keywords make it throw: if the generated schema starts using one, this must learn it.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'enum',
  'const',
  'pattern',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'minItems',
  'minLength',
  'anyOf',
  'oneOf',
  'format',
]);

export function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`json-schema-check does not know keyword ${keyword} at ${path}`);
  }
  const errors: string[] = [];
  const fail = (message: string): void => {
    errors.push(`${path}: ${message}`);
  };

  const types =
    schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types !== undefined && !types.some((type) => hasType(value, type))) {
    fail(`expected ${String(schema.type)}`);
    return errors;
  }
  if (schema.const !== undefined && value !== schema.const) fail(`expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    fail(`expected one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      fail(`does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('too short');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`below ${schema.minimum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      fail(`not above ${schema.exclusiveMinimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items');
    if (schema.items)
      value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, `${path}[${i}]`)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) fail(`missing ${key}`);
    for (const [key, item] of Object.entries(object)) {
      if (schema.propertyNames)
        errors.push(...schemaErrors(schema.propertyNames as Schema, key, `${path}.${key}(name)`));
      if (key in properties) errors.push(...schemaErrors(properties[key] as Schema, item, `${path}.${key}`));
      else if (schema.additionalProperties === false) fail(`unknown property ${key}`);
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...schemaErrors(schema.additionalProperties as Schema, item, `${path}.${key}`));
      }
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const results = schema.anyOf.map((option) => schemaErrors(option as Schema, value, path));
    if (!results.some((r) => r.length === 0)) fail(`matches none of anyOf (${results.flat().join('; ')})`);
  }
  if (Array.isArray(schema.oneOf)) {
    const results = schema.oneOf.map((option) => schemaErrors(option as Schema, value, path));
    const matching = results.filter((r) => r.length === 0).length;
    if (matching !== 1) fail(`matches ${matching} of oneOf (${results.flat().join('; ')})`);
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`json-schema-check does not know type ${type}`);
  }
}
