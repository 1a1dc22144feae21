/**
 * How an adapter runs one call of its provider's API, and how it names itself and its zones in errors. Every
 * adapter needs the same rules, so they live here once:
 * - the caller's abort stays the abort (its reason), never a provider error: a shutdown is not an outage;
 * - a `ProviderError` raised inside (a nested call) passes as it is;
 * - a codec error (wire-codec-error.ts) is REJECTED, naming the zone: what cannot be translated now never
 *   will be;
 * - an unusable answer (unusable-answer-error.ts: a malformed body, a stalled listing) is UNAVAILABLE;
 * - anything else is the provider's own error, which only the adapter's error mapping can classify.
 */
import { ProviderError } from './provider-errors';
import { UnusableAnswerError } from './unusable-answer-error';
import { WireCodecError } from './wire-codec-error';

/** Who an adapter is, as its messages say it. */
export interface AdapterIdentity {
  /** Provider type: `route53`, `clouddns`. */
  readonly type: string;
  /** The provider's name in the config (`providers.<name>`). */
  readonly name: string;
  /** A zone as an operator finds it: `hosted zone Z0123`, `managed zone example-com of project acme`. */
  describeZone(zone: string): string;
}

/** One call of the provider's API, as `AdapterCalls.run` needs to know it. */
export interface AdapterCall {
  /** The operation and what it is about, for messages: `rrsets.list on managed zone z of project p`. */
  description: string;
  /** The zone a codec error inside the call is about, if the call has one. */
  zone?: string;
  /** The provider's own error mapping (route53-errors.ts, clouddns-errors.ts). */
  toProviderError: (error: unknown) => ProviderError;
}

export class AdapterCalls {
  constructor(readonly identity: AdapterIdentity) {}

  /** `route53 provider "aws-main"`: how every message of this adapter starts. */
  get label(): string {
    return `${this.identity.type} provider "${this.identity.name}"`;
  }

  /** Runs one call; whatever it throws comes out as the abort's reason or a typed `ProviderError`. */
  async run<T>(call: AdapterCall, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ProviderError) throw error;
      if (error instanceof WireCodecError) throw this.codecError(error, call.zone);
      if (error instanceof UnusableAnswerError) {
        throw new ProviderError('UNAVAILABLE', `${this.label}: ${call.description}: ${error.message}`, {
          provider: this.identity.name,
          remoteCode: error.code,
          remoteMessage: error.message,
          cause: error,
        });
      }
      throw call.toProviderError(error);
    }
  }

  /** A codec error -> REJECTED naming the zone, if any; any other error is returned as it is (for `throw`). */
  codecError(error: unknown, zone: string | undefined): unknown {
    if (!(error instanceof WireCodecError)) return error;
    const where = zone !== undefined ? ` ${this.identity.describeZone(zone)}` : '';
    return new ProviderError('REJECTED', `${this.label}${where}: ${error.message}`, {
      provider: this.identity.name,
      cause: error,
    });
  }

  /** Runs a codec step (encode, decode, parse an id), its codec errors reported as `codecError` does. */
  codec<T>(zone: string | undefined, step: () => T): T {
    try {
      return step();
    } catch (error) {
      throw this.codecError(error, zone);
    }
  }
}
