/**
 * Slack and Mattermost answer a delivered webhook with 200 and the body `ok`; anything else with a 2xx is a
 * rejection in disguise worth reporting (the remote's words, with any URL in them redacted).
 */
import { redact } from '../../config/resolve-secret';
import { truncate } from '../truncate';

/**
 * Slack answers 200 `ok`; a rejected payload is a 4xx with a code in the body (`invalid_blocks`,
 * `invalid_payload`, `no_text`, `no_service`, ...). Workflow webhooks answer JSON `{"ok": true}`.
 */
export function checkOkAnswer(platform: string, status: number, body: string): string | undefined {
  const text = body.trim();
  if (text === '' || text === 'ok') return undefined;
  try {
    const parsed = JSON.parse(text) as { ok?: unknown };
    if (parsed.ok === true) return undefined;
  } catch {
    // Not JSON: a plain-text answer that is not `ok`.
  }
  return `${platform} answered ${status} ${JSON.stringify(truncate(redact(text), 300))} instead of ok`;
}
