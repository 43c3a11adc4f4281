// The key every per-address rate limit counts a client by (sign-in failures, registrations).
// An IPv6 client is normally given a whole /64 (RFC 6177; SLAAC and privacy addresses pick
// the low 64 bits freely), so it can send each request from a new address: keyed by address,
// it would never run out of budget. Its /64 is what one client controls, so that is the key.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const IPV4_MAPPED = new BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * The network a client address stands for: an IPv4 address is itself; an IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`, how a dual-stack socket sees an IPv4 client) is that IPv4
 * address; any other IPv6 address is its /64, as `2001:db8:1:2::/64`. A zone id (`%eth0`)
 * names our interface, not the client, and is dropped. Anything else (Express's `req.ip` can
 * be undefined, and edges pass "unknown") is returned unchanged.
 */
export function clientNetwork(address: string): string {
  if (isIPv4(address)) return address;
  const [bare = ''] = address.split('%', 1);
  if (!isIPv6(bare)) return address;
  const pieces = ipv6Pieces(bare);
  if (IPV4_MAPPED.check(bare, 'ipv6')) {
    const [high = 0, low = 0] = pieces.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  const prefix = pieces.slice(0, 4).map((piece) => piece.toString(16));
  return `${canonical(`${prefix.join(':')}::`)}/64`;
}

/** An IPv6 address in its RFC 5952 form, as the WHATWG URL parser writes it: lower case, "::", no dotted quad. */
const canonical = (address: string): string => new URL(`http://[${address}]/`).hostname.slice(1, -1);

/** The eight 16-bit pieces of a valid IPv6 address. */
function ipv6Pieces(address: string): number[] {
  // The canonical form has only hex pieces and at most one "::" to expand.
  const [head, tail] = canonical(address).split('::');
  const read = (part: string | undefined) =>
    part ? part.split(':').map((piece) => Number.parseInt(piece, 16)) : [];
  const front = read(head);
  const back = read(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
