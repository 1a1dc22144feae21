import type { Resolver } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsCheck } from '../../config/types';

export type DnsRecordType = DnsCheck['recordType'];

/** One record of the answer, in presentation form, and the other forms an `expectAnswer` may be written in. */
export interface DnsAnswer {
  /** `10.0.0.1`, `10 mx.example.com`, `0 5 443 svc.example.com`, a TXT record's strings joined. */
  text: string;
  /** Shorter spellings that also match: an MX exchange, an SRV target (alone or `target:port`), an SOA's primary NS. */
  alternatives: string[];
}

type Callback<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function ask<T>(run: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

const plain = (values: string[]): DnsAnswer[] => values.map((text) => ({ text, alternatives: [] }));

/**
 * Asks the resolver for `name`/`type` and returns the answers in presentation form.
 * Rejects with the c-ares error (`ENOTFOUND` = NXDOMAIN, `ENODATA` = NOERROR without data, `ESERVFAIL`, ...).
 */
export async function queryDnsAnswers(
  resolver: Resolver,
  name: string,
  type: DnsRecordType,
): Promise<DnsAnswer[]> {
  switch (type) {
    case 'A':
      return plain(await ask<string[]>((cb) => resolver.resolve4(name, cb)));
    case 'AAAA':
      return plain(await ask<string[]>((cb) => resolver.resolve6(name, cb)));
    case 'CNAME':
      return plain(await ask<string[]>((cb) => resolver.resolveCname(name, cb)));
    case 'NS':
      return plain(await ask<string[]>((cb) => resolver.resolveNs(name, cb)));
    case 'TXT':
      // A TXT record is a list of <=255-byte strings; what people write and compare is their concatenation.
      return plain(
        (await ask<string[][]>((cb) => resolver.resolveTxt(name, cb))).map((chunks) => chunks.join('')),
      );
    case 'MX':
      return (
        await ask<Array<{ priority: number; exchange: string }>>((cb) => resolver.resolveMx(name, cb))
      ).map((mx) => ({ text: `${mx.priority} ${mx.exchange}`, alternatives: [mx.exchange] }));
    case 'SRV':
      return (
        await ask<Array<{ priority: number; weight: number; port: number; name: string }>>((cb) =>
          resolver.resolveSrv(name, cb),
        )
      ).map((srv) => ({
        text: `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`,
        alternatives: [srv.name, `${srv.name}:${srv.port}`],
      }));
    case 'SOA': {
      const soa = await ask<{
        nsname: string;
        hostmaster: string;
        serial: number;
        refresh: number;
        retry: number;
        expire: number;
        minttl: number;
      }>((cb) => resolver.resolveSoa(name, cb));
      const text = [
        soa.nsname,
        soa.hostmaster,
        soa.serial,
        soa.refresh,
        soa.retry,
        soa.expire,
        soa.minttl,
      ].join(' ');
      return [{ text, alternatives: [soa.nsname] }];
    }
  }
}

function canonicalIpv6(address: string): string {
  try {
    // The WHATWG URL parser compresses and lower-cases IPv6 addresses: 2001:0DB8:0::1 -> 2001:db8::1.
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/**
 * The comparable form of an answer or an expectation: names are case-insensitive and written with or
 * without the trailing dot, IPv6 addresses in any spelling. TXT data is compared exactly.
 */
export function normalizeDnsAnswer(type: DnsRecordType, value: string): string {
  if (type === 'TXT') return value;
  return value
    .trim()
    .split(/\s+/)
    .map((token) => {
      const withoutDot = token.endsWith('.') && token.length > 1 ? token.slice(0, -1) : token;
      return isIP(withoutDot) === 6 ? canonicalIpv6(withoutDot) : withoutDot.toLowerCase();
    })
    .join(' ');
}

export function answerMatches(type: DnsRecordType, answer: DnsAnswer, expected: string): boolean {
  const wanted = normalizeDnsAnswer(type, expected);
  return [answer.text, ...answer.alternatives].some((form) => normalizeDnsAnswer(type, form) === wanted);
}
