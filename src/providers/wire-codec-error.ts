/**
 * The base of the adapters' codec errors (Route53CodecError, CloudDnsCodecError): a record set, zone id or
 * change id that cannot be translated between the provider's wire form and ours. Sending it again cannot
 * help, so adapter-call.ts reports every one of them as REJECTED, naming the zone.
 */
import { CodedError } from '../errors/coded-error';

export abstract class WireCodecError<Code extends string = string> extends CodedError {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}
