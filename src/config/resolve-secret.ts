import { readFile } from 'node:fs/promises';
import type { MaybeSecret, SecretRef } from './types';

/**
 * A whole value that is a secret reference: `${env:NAME}` or `${file:/absolute/path}`.
 * Interpolation inside a longer string (`Bearer ${env:TOKEN}`) is deliberately not supported:
 * a value is either literal or exactly one reference, so a secret never ends up half in the repo.
 */
export const SECRET_REF_PATTERN = '^\\$\\{(?:env:[A-Za-z_][A-Za-z0-9_]*|file:/[^}]+)\\}$';
const SECRET_REF_RE = /^\$\{(?:env:([A-Za-z_][A-Za-z0-9_]*)|file:(\/[^}]+))\}$/;

/** `${env:NAME}` / `${file:/path}` -> SecretRef; anything else (including a malformed reference) -> undefined. */
export function parseSecretRef(text: string): SecretRef | undefined {
  const match = SECRET_REF_RE.exec(text);
  if (!match) return undefined;
  const [, name, path] = match;
  if (name !== undefined) return { kind: 'env', name };
  if (path !== undefined) return { kind: 'file', path };
  return undefined;
}

/** The reference as it is written in YAML (safe to print: it names where the secret is, not the secret). */
export function formatSecretRef(ref: SecretRef): string {
  return ref.kind === 'env' ? `\${env:${ref.name}}` : `\${file:${ref.path}}`;
}

/** True when the text tries to be a reference (contains `${`), well-formed or not. */
export function looksLikeSecretRef(text: string): boolean {
  return text.includes('${');
}

/** A secret reference could not be resolved. The message names the variable or file, never a value. */
export class SecretUnavailableError extends Error {
  readonly code = 'ESECRET';
  override readonly name = 'SecretUnavailableError';
}

/**
 * Resolves a literal or a secret reference at run time (never at validate time).
 * Empty values are refused: an empty webhook URL or routing key is always a deployment mistake.
 */
export async function resolveSecret(
  value: MaybeSecret,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (typeof value === 'string') return value;
  if (value.kind === 'env') {
    const found = env[value.name];
    if (found === undefined)
      throw new SecretUnavailableError(`environment variable ${value.name} is not set`);
    if (found === '') throw new SecretUnavailableError(`environment variable ${value.name} is empty`);
    return found;
  }
  let text: string;
  try {
    text = await readFile(value.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretUnavailableError(`secret file ${value.path} cannot be read (${code})`);
  }
  // Docker and Kubernetes secret files often end with a newline that is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new SecretUnavailableError(`secret file ${value.path} is empty`);
  return secret;
}

const URL_RE = /\b([a-zA-Z][a-zA-Z0-9+.-]*):\/\/[^\s"'<>`]+/g;

/**
 * Hides the credential parts of every URL in a text, for logs and error messages:
 * userinfo (`redis://:pw@host` -> `redis://***@host`) and, for http(s) URLs, the path and query,
 * because chat webhook URLs carry their token there (`https://hooks.slack.com/***`).
 */
export function redact(text: string): string {
  return text.replace(URL_RE, (whole: string, scheme: string) => {
    let url: URL;
    try {
      url = new URL(whole);
    } catch {
      return `${scheme}://***`;
    }
    const userinfo = url.username !== '' || url.password !== '' ? '***@' : '';
    const isHttp = /^https?$/i.test(scheme);
    const hasPathOrQuery =
      (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '';
    // Other schemes (redis://host:6379/0) keep their path; a query may carry a password, so it goes.
    const rest = isHttp
      ? hasPathOrQuery
        ? '/***'
        : url.pathname
      : url.pathname + (url.search ? '?***' : '');
    return `${scheme}://${userinfo}${url.host}${rest}`;
  });
}
