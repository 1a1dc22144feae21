/**
 * YAML text -> documents that remember where every value was written.
 *
 * Each `---` document of a file is one fragment of the configuration. Positions come from the
 * `yaml` package's node ranges through a LineCounter; a path into the plain-JS view of a document
 * (`['services', 'api', 'pools', 'aws-use1', 'endpoints', 0]`) is walked back through the node tree
 * to find the line and column a person has to look at.
 */
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type YAMLError,
} from 'yaml';
import type { Problem } from './problem';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlFragment {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain JS: maps -> objects, sequences -> arrays. */
  data: unknown;
  /** False when syntax errors make the content unreliable (duplicate keys alone keep it usable). */
  usable: boolean;
}

export interface Position {
  line: number;
  col: number;
}

/** Where a value was written: the fragment and the path inside it. */
export interface Origin {
  fragment: YamlFragment;
  path: YamlPath;
}

/** A merged value and where it was written (undefined: built in, nobody wrote it). */
export interface Layered<T> {
  value: T;
  origin?: Origin;
}

/**
 * - `value`: the value at the path (a missing value: its parent, see below);
 * - `key`: the key of the path's last segment (for map-level problems such as unknown fields);
 * When the path does not exist (a missing field), both point at the deepest existing ancestor:
 * its key when it has one (`api:`), else the start of its map or list item.
 */
export type Anchor = 'value' | 'key';

// Non-fatal: the document is still what the author meant, only a repeated key is wrong.
const RECOVERABLE_ERRORS = new Set(['DUPLICATE_KEY']);

export function parseYamlFile(
  file: string,
  text: string,
): { fragments: YamlFragment[]; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems: Problem[] = [];
  const fragments: YamlFragment[] = [];
  // parseAllDocuments returns an EmptyStream (an array with no documents) for an empty file.
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    const syntaxError = (error: YAMLError, severity: Problem['severity']): Problem => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { severity, file, line, col, path: '', message: describeYamlError(error, text) };
    };
    problems.push(...doc.errors.map((error) => syntaxError(error, 'error')));
    problems.push(...doc.warnings.map((warning) => syntaxError(warning, 'warning')));
    const usable = doc.errors.every((error) => RECOVERABLE_ERRORS.has(error.code));
    let data: unknown = null;
    if (usable) {
      try {
        data = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        problems.push({
          severity: 'error',
          file,
          line: 1,
          col: 1,
          path: '',
          message: `cannot read the document: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    fragments.push({ file, index, doc, lineCounter, data: data ?? {}, usable });
  });
  return { fragments, problems };
}

const DUPLICATE_KEY_TEXT = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:#\n,{}[\]]+?)\s*:/;

function describeYamlError(error: YAMLError, text: string): string {
  if (error.code === 'DUPLICATE_KEY') {
    // The error marks where the repeated key starts; read the key itself up to its colon.
    const key = DUPLICATE_KEY_TEXT.exec(text.slice(error.pos[0]))?.[1]?.trim();
    return key === undefined || key === ''
      ? 'duplicate key'
      : `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}`;
  }
  const firstLine = error.message.split('\n')[0] ?? error.message;
  return `YAML syntax error: ${firstLine}`;
}

interface Step {
  node: Node | null;
  keyNode?: Node;
}

/** Walks a path through the node tree as far as it exists (resolving aliases and `<<` merge keys). */
function walk(fragment: YamlFragment, path: YamlPath): { steps: Step[]; complete: boolean } {
  const root = fragment.doc.contents;
  const steps: Step[] = [{ node: root }];
  let current: Node | null = root;
  for (const segment of path) {
    const container = resolveAlias(fragment, current);
    let next: Step | undefined;
    if (isMap(container)) {
      const pair = findPair(fragment, container.items as Pair[], segment);
      if (pair)
        next = {
          node: isNode(pair.value) ? pair.value : null,
          keyNode: isNode(pair.key) ? pair.key : undefined,
        };
    } else if (isSeq(container) && typeof segment === 'number') {
      const item = container.items[segment];
      if (item !== undefined) next = { node: isNode(item) ? item : null };
    }
    if (!next) return { steps, complete: false };
    steps.push(next);
    current = next.node;
  }
  return { steps, complete: true };
}

function resolveAlias(fragment: YamlFragment, node: Node | null): Node | null {
  if (isAlias(node)) {
    const target = node.resolve(fragment.doc);
    return isNode(target) ? target : null;
  }
  return node;
}

function findPair(fragment: YamlFragment, pairs: Pair[], segment: string | number): Pair | undefined {
  const wanted = String(segment);
  // Later keys win in YAML maps, and explicit keys win over merged ones.
  for (let i = pairs.length - 1; i >= 0; i--) {
    const pair = pairs[i] as Pair;
    if (isScalar(pair.key) && !isMergeKey(pair.key) && String(pair.key.value) === wanted) return pair;
  }
  for (const pair of pairs) {
    if (isMergeKey(pair.key)) {
      const sources = resolveAlias(fragment, isNode(pair.value) ? pair.value : null);
      const maps = isSeq(sources)
        ? sources.items.map((item) => resolveAlias(fragment, isNode(item) ? item : null))
        : [sources];
      for (const map of maps) {
        if (isMap(map)) {
          const found = findPair(fragment, map.items as Pair[], segment);
          if (found) return found;
        }
      }
    }
  }
  return undefined;
}

/** `<<` with merge keys enabled: the parser gives its key a symbol value. */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value: unknown = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

/** A `key:` with nothing after it: its null value has no text to point at. */
function isEmptyValue(node: Node | null): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

/** The 1-based line and column to report for a path (see `Anchor`). */
export function positionOf(fragment: YamlFragment, path: YamlPath, anchor: Anchor = 'value'): Position {
  const { steps, complete } = walk(fragment, path);
  const last = steps[steps.length - 1] as Step;
  let offset: number | undefined;
  if (complete) {
    const primary =
      anchor === 'key' || isEmptyValue(last.node) ? (last.keyNode ?? last.node) : (last.node ?? last.keyNode);
    offset = primary?.range?.[0];
  } else {
    offset = (last.keyNode ?? last.node)?.range?.[0];
  }
  if (offset === undefined) {
    // `key:` with nothing after it has no value node: fall back to the nearest node that has a place.
    for (let i = steps.length - 1; i >= 0 && offset === undefined; i--) {
      const step = steps[i] as Step;
      offset = (step.keyNode ?? step.node)?.range?.[0];
    }
  }
  return offset === undefined ? { line: 1, col: 1 } : fragment.lineCounter.linePos(offset);
}

/** `services.api.pools.aws-use1.endpoints[0].check.timeout` */
export function formatPath(path: YamlPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The plain-JS value at a path of a fragment's data (undefined when absent). */
export function valueAt(data: unknown, path: YamlPath): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** `file:line:col` of an origin, for messages that point at a second place (`already defined at ...`). */
export function where(origin: Origin, anchor: Anchor = 'key'): string {
  const { line, col } = positionOf(origin.fragment, origin.path, anchor);
  return `${origin.fragment.file}:${line}:${col}`;
}

/** A problem at a place in a fragment. */
export function problemAt(
  origin: Origin,
  message: string,
  options: { severity?: Problem['severity']; anchor?: Anchor } = {},
): Problem {
  const { line, col } = positionOf(origin.fragment, origin.path, options.anchor ?? 'value');
  return {
    severity: options.severity ?? 'error',
    file: origin.fragment.file,
    line,
    col,
    path: formatPath(origin.path),
    message,
  };
}

/** The origin of a path below another origin. */
export function below(origin: Origin, ...segments: Array<string | number>): Origin {
  return { fragment: origin.fragment, path: [...origin.path, ...segments] };
}
