/**
 * Every Terraform directory of the repository, parsed offline with `@cdktf/hcl2json` (providers cannot be
 * downloaded here, so `terraform validate` cannot run) and merged per directory the way Terraform merges the
 * files of a module.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { blocks, type HclObject, type HclValue, isObject } from './hcl-value';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const TERRAFORM_ROOT = join(REPO_ROOT, 'terraform');

/** One module (a directory of `.tf` files). Named blocks are keyed `type.name` for resources and data. */
export interface TerraformModule {
  /** Relative to the repository root, e.g. `terraform/modules/aws-control`. */
  dir: string;
  files: string[];
  variables: Map<string, HclObject>;
  outputs: Map<string, HclObject>;
  locals: Map<string, HclValue>;
  resources: Map<string, HclObject>;
  data: Map<string, HclObject>;
  modules: Map<string, HclObject>;
  /** `terraform` blocks (required_version, required_providers). */
  settings: HclObject[];
  /** `provider` blocks by provider name. */
  providers: Map<string, HclObject[]>;
}

/** Directories under `root` that hold `.tf` files (not `.terraform/`). */
export function terraformDirs(root: string = TERRAFORM_ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir);
    if (entries.some((entry) => entry.endsWith('.tf'))) found.push(dir);
    for (const entry of entries) {
      const path = join(dir, entry);
      if (entry !== '.terraform' && statSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return found.sort();
}

function addNamed(
  target: Map<string, HclObject>,
  section: HclValue | undefined,
  typed: boolean,
  file: string,
): void {
  if (!isObject(section)) return;
  for (const [first, value] of Object.entries(section)) {
    const entries: Array<[string, HclValue]> =
      typed && isObject(value) ? Object.entries(value) : [[first, value]];
    for (const [second, body] of entries) {
      const key = typed ? `${first}.${second}` : first;
      const found = blocks(body)[0];
      if (!found) continue;
      if (target.has(key)) throw new Error(`${file}: ${key} is declared twice in the module`);
      target.set(key, found);
    }
  }
}

export async function loadTerraformModule(dir: string): Promise<TerraformModule> {
  const files = readdirSync(dir)
    .filter((entry) => entry.endsWith('.tf'))
    .sort();
  const module: TerraformModule = {
    dir: relative(REPO_ROOT, dir),
    files,
    variables: new Map(),
    outputs: new Map(),
    locals: new Map(),
    resources: new Map(),
    data: new Map(),
    modules: new Map(),
    settings: [],
    providers: new Map(),
  };
  for (const file of files) {
    const path = join(dir, file);
    let parsed: Record<string, HclValue>;
    try {
      parsed = (await parse(file, readFileSync(path, 'utf8'))) as Record<string, HclValue>;
    } catch (error) {
      throw new Error(`${relative(REPO_ROOT, path)} does not parse as HCL: ${String(error)}`);
    }
    const where = relative(REPO_ROOT, path);
    addNamed(module.variables, parsed.variable, false, where);
    addNamed(module.outputs, parsed.output, false, where);
    addNamed(module.resources, parsed.resource, true, where);
    addNamed(module.data, parsed.data, true, where);
    addNamed(module.modules, parsed.module, false, where);
    for (const localsBlock of blocks(parsed.locals)) {
      for (const [name, value] of Object.entries(localsBlock)) {
        if (module.locals.has(name))
          throw new Error(`${where}: local.${name} is declared twice in the module`);
        module.locals.set(name, value);
      }
    }
    module.settings.push(...blocks(parsed.terraform));
    if (isObject(parsed.provider)) {
      for (const [name, value] of Object.entries(parsed.provider)) {
        module.providers.set(name, [...(module.providers.get(name) ?? []), ...blocks(value)]);
      }
    }
  }
  return module;
}

export async function loadAllTerraform(root: string = TERRAFORM_ROOT): Promise<TerraformModule[]> {
  const modules: TerraformModule[] = [];
  for (const dir of terraformDirs(root)) modules.push(await loadTerraformModule(dir));
  return modules;
}

/** Resources (or data sources) of one type: `[name, body]`. */
export function ofType(named: Map<string, HclObject>, type: string): Array<[string, HclObject]> {
  return [...named.entries()]
    .filter(([key]) => key.startsWith(`${type}.`))
    .map(([key, body]) => [key.slice(type.length + 1), body]);
}

/** The loaded module a call's local `source` (`../x`) points to, or undefined. */
export function calledModule(
  all: TerraformModule[],
  caller: TerraformModule,
  call: HclObject,
): TerraformModule | undefined {
  const target = resolve(REPO_ROOT, caller.dir, String(call.source));
  return all.find((module) => resolve(REPO_ROOT, module.dir) === target);
}

export interface ModuleCall {
  caller: TerraformModule;
  /** The call's name: `module.<name>` in the caller. */
  name: string;
  call: HclObject;
}

/** Every call of `target` anywhere in `all`. */
export function callersOf(all: TerraformModule[], target: TerraformModule): ModuleCall[] {
  return all.flatMap((caller) =>
    [...caller.modules]
      .filter(([, call]) => calledModule(all, caller, call) === target)
      .map(([name, call]) => ({ caller, name, call })),
  );
}
