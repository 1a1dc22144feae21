/**
 * A channel's secrets, resolved at send time (never at config load: a rotated secret file is picked up by the
 * next message), plus everything that must never appear in a log line, an error or a stored reason.
 */
import { resolveSecret, SecretUnavailableError } from '../config/resolve-secret';
import type { MaybeSecret, NotificationChannel } from '../config/types';
import type { ChannelSecrets } from './channel-formatter';
import { ChannelSecretError } from './delivery-errors';

export interface ResolvedChannelSecrets {
  secrets: ChannelSecrets;
  /** Texts to scrub from anything shown: the secret values and the secret parts of the URL. */
  sensitive: string[];
}

export async function resolveChannelSecrets(
  channel: NotificationChannel,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedChannelSecrets> {
  const resolve = async (value: MaybeSecret | undefined, what: string): Promise<string | undefined> => {
    if (value === undefined) return undefined;
    try {
      return await resolveSecret(value, env);
    } catch (error) {
      if (error instanceof SecretUnavailableError) {
        // The message names the variable or file, never a value.
        throw new ChannelSecretError(`channel ${channel.name}: cannot resolve its ${what}: ${error.message}`);
      }
      throw error;
    }
  };
  const [url, routingKey, signingSecret] = await Promise.all([
    resolve(channel.url, 'url'),
    resolve(channel.routingKey, 'routingKey'),
    resolve(channel.secret, 'secret'),
  ]);
  const secrets: ChannelSecrets = {};
  if (url !== undefined) secrets.url = url;
  if (routingKey !== undefined) secrets.routingKey = routingKey;
  if (signingSecret !== undefined) secrets.signingSecret = signingSecret;
  const sensitive = [routingKey, signingSecret].filter((text): text is string => text !== undefined);
  if (url !== undefined) sensitive.push(...sensitivePartsOfUrl(url));
  return { secrets, sensitive };
}

/**
 * The parts of a webhook URL that are credentials: the whole URL, its path and query, every path segment and
 * query value long enough to be a token, and userinfo. Chat platforms put the token in the path
 * (`/services/T000/B000/XXXX`), and a remote's error answer may echo any piece of it.
 */
export function sensitivePartsOfUrl(text: string): string[] {
  const parts = [text];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return parts;
  }
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery.length > 1) parts.push(pathAndQuery);
  for (const segment of url.pathname.split('/')) {
    if (segment.length >= MIN_TOKEN_LENGTH) parts.push(segment, safeDecode(segment));
  }
  for (const value of url.searchParams.values()) if (value.length >= MIN_TOKEN_LENGTH) parts.push(value);
  if (url.username !== '') parts.push(url.username);
  if (url.password !== '') parts.push(url.password);
  return [...new Set(parts)];
}

/** Shorter pieces are words (`hooks`, `api`, `v2`), not tokens; scrubbing them would only garble answers. */
const MIN_TOKEN_LENGTH = 8;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces every occurrence of the sensitive texts (longest first, so a URL goes before its own path). */
export function scrubSensitive(text: string, sensitive: readonly string[]): string {
  let scrubbed = text;
  for (const secret of [...sensitive].sort((a, b) => b.length - a.length)) {
    if (secret.length < 4) continue;
    scrubbed = scrubbed.split(secret).join('***');
  }
  return scrubbed;
}
