import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../ts/errors.js';
import {
  AddressCache,
  PeerAddressFormatter,
  formatAddress,
  normalizeAddress,
  parseAddress,
  parseIPv6,
  parseIpAddress,
} from '../../ts/transports/address.js';

describe('parseAddress', () => {
  it('parses IPv4, bracketed IPv6 and names', () => {
    expect(parseAddress('127.0.0.1:9000')).toEqual({ host: '127.0.0.1', port: 9000, family: 4 });
    expect(parseAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0, family: 4 });
    expect(parseAddress('[::1]:65535')).toEqual({ host: '::1', port: 65535, family: 6 });
    expect(parseAddress('[fe80::1%eth0]:5')).toEqual({ host: 'fe80::1%eth0', port: 5, family: 6 });
    expect(parseAddress('mem-1:1')).toEqual({ host: 'mem-1', port: 1, family: 'name' });
    expect(parseAddress('node_a.test:443')).toEqual({ host: 'node_a.test', port: 443, family: 'name' });
  });

  it('canonicalises IPv6 the way inet_ntop prints it', () => {
    expect(parseIPv6('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(parseIPv6('2001:DB8:0:0:0:0:2:1')).toBe('2001:db8::2:1');
    expect(parseIPv6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(parseIPv6('2001:0db8:0000:0001:0001:0001:0001:0001')).toBe('2001:db8:0:1:1:1:1:1'); // no "::" for one zero
    expect(parseIPv6('::')).toBe('::');
    expect(parseIPv6('1::')).toBe('1::');
    expect(parseIPv6('::ffff:7f00:1')).toBe('::ffff:127.0.0.1');
    expect(parseIPv6('::FFFF:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4:5:6:102:304');
    expect(normalizeAddress('[0:0::1]:7')).toBe('[::1]:7');
  });

  it('formats with brackets and unmaps IPv4-mapped hosts', () => {
    expect(formatAddress('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(formatAddress('::1', 80)).toBe('[::1]:80');
    expect(formatAddress('::ffff:10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(formatAddress('mem-1', 3)).toBe('mem-1:3');
    const f = new PeerAddressFormatter();
    expect(f.format('::ffff:127.0.0.1', 9)).toBe('127.0.0.1:9');
    expect(f.format('::1', 9)).toBe('[::1]:9');
    expect(f.format('127.0.0.1', 9)).toBe('127.0.0.1:9');
  });

  const bad: [string, RegExp][] = [
    ['', /expected "host:port"/],
    ['127.0.0.1', /expected "host:port"/],
    ['127.0.0.1:', /port "" is not a decimal number/],
    ['127.0.0.1:65536', /out of range/],
    ['127.0.0.1:-1', /not a decimal number/],
    ['127.0.0.1:+5', /not a decimal number/],
    ['127.0.0.1:123456', /not a decimal number/],
    [':80', /host is empty/],
    ['256.0.0.1:80', /not an IPv4 address/],
    ['1.2.3:80', /not an IPv4 address/],
    ['01.2.3.4:80', /not an IPv4 address/],
    ['::1:80', /must be written in brackets/],
    ['[::1:80', /missing "]"/],
    ['[::1]80', /expected ":port" after "]"/],
    ['[1.2.3.4]:80', /is not an IPv6 address/],
    ['[1::2::3]:80', /is not an IPv6 address/],
    ['[12345::]:80', /is not an IPv6 address/],
    ['[1:2:3:4:5:6:7:8:9]:80', /is not an IPv6 address/],
    ['bad host:80', /is not a valid host/],
  ];
  it.each(bad)('rejects %j with InvalidArgumentError naming it', (input, reason) => {
    let err: unknown;
    try {
      parseAddress(input, 'peer address');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const e = err as InvalidArgumentError;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('peer address');
    expect(e.message).toContain(JSON.stringify(input));
    expect(e.message).toMatch(reason);
  });

  it('rejects non-strings and, for sockets, names', () => {
    expect(() => parseAddress(42 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => parseIpAddress('localhost:80', 'bind address')).toThrow(/bind address "localhost:80".*IPv4 or \[IPv6\] literal/);
    expect(parseIpAddress('[::]:0').family).toBe(6);
  });

  it('AddressCache memoises results and errors', () => {
    let calls = 0;
    const cache = new AddressCache((a) => {
      calls++;
      return `${a.host}|${a.port}`;
    });
    expect(cache.get('1.2.3.4:5')).toBe('1.2.3.4|5');
    expect(cache.get('1.2.3.4:5')).toBe('1.2.3.4|5');
    expect(calls).toBe(1);
    const e = cache.get('nope');
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(cache.get('nope')).toBe(e);
  });
});
