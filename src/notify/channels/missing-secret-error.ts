/**
 * A formatter was asked to build a request without a secret it cannot do without (a PagerDuty routing key).
 * A configuration problem, not a transient one: delivery should not retry it. The message names the setting,
 * never a value.
 */
export class MissingSecretError extends Error {
  readonly code = 'ENOTIFY_SECRET';
  override readonly name = 'MissingSecretError';
}
