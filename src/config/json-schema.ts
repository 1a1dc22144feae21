import { z } from 'zod';
import { configFileSchema } from './config-schema';

/** Stable identifier of the format (a name, not a download location: editors use the modeline path). */
export const CONFIG_SCHEMA_ID = 'urn:quorumdns:config:v1';

/**
 * The JSON Schema (draft 2020-12) of one quorumdns configuration file, for editors
 * (`# yaml-language-server: $schema=...`) and CI. Generated from the same zod schemas the loader
 * validates with; `quorumdns.schema.json` at the repository root is this, committed.
 *
 * It checks what one file can check: names, shapes, formats and unknown fields. What needs the
 * merged files (references, counts, record types) is only checked by `quorumdns validate`.
 */
export function configJsonSchema(): object {
  const { $schema, ...generated } = z.toJSONSchema(configFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
  });
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'quorumdns configuration file',
    description:
      'Service definitions for quorumdns (multi-region DNS failover). Several files may be merged: providers, notifications and services combine; deployment and defaults appear in one file each. Run `quorumdns validate` for the checks across files.',
    ...generated,
  };
}
