/**
 * Several files (and `---` documents) -> one set of named entries, each remembering where it was
 * written.
 *
 * Every fragment is validated against the file schema first, so every structural problem of every
 * file is reported. An entry (a service, a provider, ...) whose only issues are unknown fields is
 * still used for the cross-file checks; an entry with other structural issues is left out of them
 * (its name stays known, so nothing reports a reference to it as unknown).
 *
 * Merge rules: providers, notifications and services are maps combined across files (a name may
 * be defined once); probeRegions lists are concatenated (a region may be listed once);
 * `deployment` and `defaults` may each appear in one file only.
 */
import type { z } from 'zod';
import {
  configFileSchema,
  defaultsSchema,
  type RawChannel,
  type RawDefaults,
  type RawDeployment,
  type RawProvider,
  type RawService,
  schemaForSection,
} from './config-schema';
import { isName, NAME_RULE } from './names';
import type { Problem } from './problem';
import { formatPath, type Origin, where, problemAt, type YamlFragment, type YamlPath } from './yaml-source';
import { parseAt } from './zod-problems';

export interface Entry<T> {
  name: string;
  /** Where the entry's value was written (path of the value, e.g. `['services', 'api']`). */
  origin: Origin;
  value: T;
}

export interface MergedFragments {
  fragments: YamlFragment[];
  deployment?: Entry<RawDeployment>;
  /** Valid probe region names in the order listed. */
  regions: Array<{ name: string; origin: Origin }>;
  /** The first probeRegions list: where a service that inherits the list points its problems. */
  regionsOrigin?: Origin;
  providers: Map<string, Entry<RawProvider>>;
  channels: Map<string, Entry<RawChannel>>;
  services: Map<string, Entry<RawService>>;
  defaults?: Entry<RawDefaults>;
  /** Fields of defaults that were written but invalid (`check.interval`, `quorum`): already reported. */
  poisonedDefaults: Set<string>;
  /** Every name written, valid or not: a reference to a broken entry is not an unknown reference. */
  written: { providers: Set<string>; channels: Set<string>; regions: Set<string>; services: Set<string> };
  problems: Problem[];
}

type NamedSection = 'providers' | 'notifications' | 'services';

const SECTION_NOUN: Record<NamedSection, string> = {
  providers: 'provider',
  notifications: 'notification channel',
  services: 'service',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function startsWith(path: ReadonlyArray<PropertyKey>, prefix: YamlPath): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

/** Issues of the whole file that concern the value at `prefix`, with paths made relative to it. */
function issuesBelow(issues: readonly z.core.$ZodIssue[], prefix: YamlPath): z.core.$ZodIssue[] {
  return issues
    .filter((issue) => startsWith(issue.path, prefix))
    .map((issue) => ({ ...issue, path: issue.path.slice(prefix.length) }));
}

/**
 * Removes what the issues point at, down to `maxDepth` segments: unknown fields, invalid values
 * and (at the depth limit) whole sub-maps. What is left is what the author wrote correctly.
 */
function prune(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  maxDepth: number,
): { value: unknown; removed: string[] } {
  const copy: unknown = structuredClone(value);
  const removed: string[] = [];
  const remove = (path: ReadonlyArray<PropertyKey>): void => {
    const cut = path.slice(0, maxDepth);
    if (cut.length === 0) return;
    let parent: unknown = copy;
    for (const segment of cut.slice(0, -1))
      parent = isPlainObject(parent) ? parent[segment as string] : undefined;
    const last = cut[cut.length - 1] as string;
    if (isPlainObject(parent) && last in parent) {
      delete parent[last];
      removed.push(formatPath(cut as YamlPath));
    }
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') issue.keys.forEach((key) => remove([...issue.path, key]));
    else remove(issue.path);
  }
  return { value: copy, removed };
}

/** The entry's value when it is usable for the cross-file checks (see the module comment). */
function usableValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
): z.output<S> | undefined {
  if (issues.some((issue) => issue.code !== 'unrecognized_keys')) return undefined;
  const result = schema.safeParse(prune(value, issues, Infinity).value);
  return result.success ? result.data : undefined;
}

/**
 * `requireSections: false` skips the "missing deployment / probeRegions" checks: used when a file
 * could not be parsed, since the missing section may well be in it.
 */
export function mergeFragments(
  fragments: YamlFragment[],
  options: { requireSections?: boolean } = {},
): MergedFragments {
  const merged: MergedFragments = {
    fragments,
    regions: [],
    providers: new Map(),
    channels: new Map(),
    services: new Map(),
    poisonedDefaults: new Set(),
    written: { providers: new Set(), channels: new Set(), regions: new Set(), services: new Set() },
    problems: [],
  };
  const firstDefinition = new Map<string, Origin>();
  let deploymentWritten = false;
  let defaultsOrigin: Origin | undefined;
  let regionsWritten = false;

  for (const fragment of fragments.filter((f) => f.usable)) {
    const root: Origin = { fragment, path: [] };
    const parsed = parseAt(configFileSchema, fragment.data, root);
    merged.problems.push(...parsed.problems);
    const data = fragment.data;
    if (!isPlainObject(data)) continue;
    const at = (...path: Array<string | number>): Origin => ({ fragment, path });

    if ('deployment' in data) {
      if (deploymentWritten) {
        merged.problems.push(
          problemAt(
            at('deployment'),
            `deployment is already defined at ${where(firstDefinition.get('deployment') as Origin)}: it must appear in one file only`,
            {
              anchor: 'key',
            },
          ),
        );
      } else {
        deploymentWritten = true;
        firstDefinition.set('deployment', at('deployment'));
        const value = usableValue(
          schemaForSection.deployment,
          data.deployment,
          issuesBelow(parsed.issues, ['deployment']),
        );
        if (value) merged.deployment = { name: value.id, origin: at('deployment'), value };
      }
    }

    if ('probeRegions' in data) {
      regionsWritten = true;
      merged.regionsOrigin ??= at('probeRegions');
      const list = data.probeRegions;
      if (Array.isArray(list)) {
        list.forEach((region: unknown, index) => {
          if (typeof region !== 'string') return;
          merged.written.regions.add(region);
          if (!isName(region)) return; // reported by the schema
          const origin = at('probeRegions', index);
          const first = firstDefinition.get(`region:${region}`);
          if (first) {
            merged.problems.push(
              problemAt(
                origin,
                `duplicate probe region "${region}" (already listed at ${where(first, 'value')})`,
              ),
            );
            return;
          }
          firstDefinition.set(`region:${region}`, origin);
          merged.regions.push({ name: region, origin });
        });
      }
    }

    if ('defaults' in data) {
      if (defaultsOrigin) {
        merged.problems.push(
          problemAt(
            at('defaults'),
            `defaults are already defined at ${where(defaultsOrigin)}: they must appear in one file only`,
            {
              anchor: 'key',
            },
          ),
        );
      } else {
        defaultsOrigin = at('defaults');
        // Keep every default that was written correctly, so one bad field does not make every
        // service report a missing value; remember the bad ones so nobody reports them twice.
        const { value, removed } = prune(data.defaults, issuesBelow(parsed.issues, ['defaults']), 2);
        removed.forEach((path) => merged.poisonedDefaults.add(path));
        const result = defaultsSchema.safeParse(value);
        if (result.success)
          merged.defaults = { name: 'defaults', origin: defaultsOrigin, value: result.data };
        else merged.poisonedDefaults.add('*');
      }
    }

    collectNamed(
      merged,
      'providers',
      data,
      parsed.issues,
      at,
      firstDefinition,
      merged.providers,
      merged.written.providers,
    );
    collectNamed(
      merged,
      'notifications',
      data,
      parsed.issues,
      at,
      firstDefinition,
      merged.channels,
      merged.written.channels,
    );
    collectNamed(
      merged,
      'services',
      data,
      parsed.issues,
      at,
      firstDefinition,
      merged.services,
      merged.written.services,
    );
  }

  const first = fragments[0];
  if (first && options.requireSections !== false) {
    const top: Origin = { fragment: first, path: [] };
    if (!deploymentWritten) {
      merged.problems.push({
        ...problemAt(top, 'missing required section "deployment": one of the files must define it'),
        path: 'deployment',
      });
    }
    if (!regionsWritten) {
      merged.problems.push({
        ...problemAt(
          top,
          'missing required section "probeRegions": one of the files must list the probe regions',
        ),
        path: 'probeRegions',
      });
    } else if (merged.written.regions.size === 0) {
      merged.problems.push(problemAt(merged.regionsOrigin as Origin, 'must list at least one probe region'));
    }
  }
  return merged;
}

function collectNamed<T>(
  merged: MergedFragments,
  section: NamedSection,
  data: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
  at: (...path: Array<string | number>) => Origin,
  firstDefinition: Map<string, Origin>,
  target: Map<string, Entry<T>>,
  written: Set<string>,
): void {
  const entries = data[section];
  if (!isPlainObject(entries)) return;
  const noun = SECTION_NOUN[section];
  for (const [name, value] of Object.entries(entries)) {
    const origin = at(section, name);
    const key = `${section}:${name}`;
    const first = firstDefinition.get(key);
    if (first) {
      merged.problems.push(
        problemAt(origin, `duplicate ${noun} "${name}" (already defined at ${where(first)})`, {
          anchor: 'key',
        }),
      );
      continue;
    }
    firstDefinition.set(key, origin);
    written.add(name);
    if (!isName(name)) {
      merged.problems.push(
        problemAt(origin, `invalid ${noun} name "${name}": use ${NAME_RULE}`, { anchor: 'key' }),
      );
    }
    const usable = usableValue(schemaForSection[section], value, issuesBelow(issues, [section, name]));
    if (usable !== undefined) target.set(name, { name, origin, value: usable as T });
  }
}
