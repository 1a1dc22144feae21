/**
 * A formatter was asked to build a request without a secret it cannot do without (a PagerDuty routing key).
 * A configuration problem, not a transient one: delivery should not retry it. The message names the setting,
 * never a value.
 */
import { CodedError } from '../../errors/coded-error';

export class MissingSecretError extends CodedError {
  readonly code = 'ENOTIFY_SECRET';
}
