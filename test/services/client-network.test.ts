import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../src/services/client-network.ts';

describe('clientNetwork, the key of per-address rate limits', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['127.0.0.1', '127.0.0.1'],
  ])('keeps an IPv4 address as it is: %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
  ])('keys an IPv4-mapped IPv6 address by its IPv4 address: %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8::/64'],
    ['2001:0DB8:0000:0000:0001::', '2001:db8::/64'],
    ['2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['2001:db8:0:ab::ffff:1.2.3.4', '2001:db8:0:ab::/64'],
    ['::1', '::/64'],
    ['::', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['fe80::abcd:1%25', 'fe80::/64'],
  ])('keys an IPv6 address by its /64: %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it('gives every address of one /64 the same key, and the next /64 another', () => {
    const inside = ['2001:db8:aa:bb::1', '2001:db8:aa:bb:ffff:ffff:ffff:ffff', '2001:db8:aa:bb:1234::9'];
    expect(new Set(inside.map(clientNetwork))).toEqual(new Set(['2001:db8:aa:bb::/64']));
    expect(clientNetwork('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
  });

  it('returns what is not an address unchanged', () => {
    for (const value of ['unknown', '', '[2001:db8::1]', '2001:db8::1:80:', '300.1.2.3']) {
      expect(clientNetwork(value)).toBe(value);
    }
  });
});
