// Fetches client ID metadata documents for the authorization server. The URL comes from
// whoever starts an authorization request, so this is an SSRF surface: only public
// addresses are contacted (checked on the address actually connected to, so DNS rebinding
// does not help), nothing is followed, and the answer is small and quick or refused.
import { lookup as dnsLookup } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { ClientMetadataFetchError, type ClientMetadataSource } from '../types.ts';

export interface HttpsClientMetadataSourceOptions {
  /** Development and tests only: also contact loopback addresses (127.0.0.0/8, ::1). */
  allowLoopback: boolean;
  /** Development and tests only: a PEM certificate to trust besides the system's. */
  extraCa?: string | undefined;
  timeoutMs: number;
  maxBytes: number;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

// Special-use ranges (RFC 6890 and its IANA registries): private, shared, link-local,
// documentation, benchmarking, multicast, reserved, and IPv4-mapped or translated IPv6.
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

export class HttpsClientMetadataSource implements ClientMetadataSource {
  readonly #options: HttpsClientMetadataSourceOptions;
  readonly #ca: string[] | undefined;

  constructor(options: HttpsClientMetadataSourceOptions) {
    this.#options = options;
    this.#ca = options.extraCa === undefined ? undefined : [...rootCertificates, options.extraCa];
  }

  #allowed(address: string): boolean {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.#options.allowLoopback && LOOPBACK.check(address, family)) return true;
    return !NOT_PUBLIC.check(address, family);
  }

  /** Resolves like the system does, then refuses unless every address is allowed. */
  readonly #lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.find((entry) => !this.#allowed(entry.address));
      const first = addresses[0];
      if (refused || !first)
        return callback(new ClientMetadataFetchError('is on an address we do not contact'), '', 4);
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };

  async fetch(url: string): Promise<unknown> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !this.#allowed(host)) {
      throw new ClientMetadataFetchError('is on an address we do not contact');
    }
    const body = await new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (error: ClientMetadataFetchError | undefined, text = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        if (error) reject(error);
        else resolve(text);
      };
      const req = request(
        target,
        {
          method: 'GET',
          headers: { accept: 'application/json' },
          lookup: this.#lookup,
          ...(this.#ca ? { ca: this.#ca } : {}),
          agent: false,
        },
        (res) => this.#read(res, settle),
      );
      const timer = setTimeout(
        () => settle(new ClientMetadataFetchError('took too long to answer')),
        this.#options.timeoutMs,
      );
      req.on('error', (error) =>
        settle(
          error instanceof ClientMetadataFetchError
            ? error
            : new ClientMetadataFetchError('could not be fetched'),
        ),
      );
      req.end();
    });
    try {
      return JSON.parse(body);
    } catch {
      throw new ClientMetadataFetchError('is not JSON');
    }
  }

  #read(
    res: IncomingMessage,
    settle: (error: ClientMetadataFetchError | undefined, text?: string) => void,
  ): void {
    // Redirects are not followed: the document must be at its own URL (its id).
    if (res.statusCode !== 200) {
      settle(new ClientMetadataFetchError(`answered with status ${res.statusCode} instead of 200`));
      return;
    }
    if (Number(res.headers['content-length'] ?? 0) > this.#options.maxBytes) {
      settle(new ClientMetadataFetchError('is too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.#options.maxBytes) settle(new ClientMetadataFetchError('is too large'));
      else chunks.push(chunk);
    });
    res.on('end', () => settle(undefined, Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => settle(new ClientMetadataFetchError('could not be fetched')));
  }
}
