// The SSRF guard's address classifier, as a pure function: no address here is ever connected to.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, classifyAddress, isPublicAddress, parseIPv6 } from '../../src/net/address-class.ts';

describe('IPv4 special-purpose ranges', () => {
  const cases: Array<[string, string]> = [
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-nat'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
  ];
  for (const [addr, cls] of cases) test(`${addr} is ${cls}`, () => assert.equal(classifyAddress(addr).class, cls));
});

describe('IPv6 ranges and embedded IPv4', () => {
  const cases: Array<[string, string, string?]> = [
    ['2606:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['4000::1', 'reserved'],
    // Embedded forms are classified by the IPv4 address inside.
    ['::ffff:127.0.0.1', 'loopback', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'loopback', 'ipv4-mapped'],
    ['::ffff:10.0.0.1', 'private', 'ipv4-mapped'],
    ['::ffff:169.254.169.254', 'link-local', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'public', 'ipv4-mapped'],
    ['::10.0.0.1', 'private', 'ipv4-compatible'],
    ['64:ff9b::192.168.1.1', 'private', 'nat64'],
    ['64:ff9b::a9fe:a9fe', 'link-local', 'nat64'],
    ['64:ff9b::8.8.8.8', 'public', 'nat64'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::1', 'loopback', '6to4'],
    ['2002:c0a8:101::1', 'private', '6to4'],
    ['[::1]', 'loopback'],
  ];
  for (const [addr, cls, form] of cases) {
    test(`${addr} is ${cls}${form ? ` (${form})` : ''}`, () => {
      const c = classifyAddress(addr);
      assert.equal(c.class, cls);
      assert.equal(c.embedded?.form, form);
    });
  }
});

describe('malformed input is never public', () => {
  for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1::2::3', '12345::1', 'gggg::1', '1:2:3:4:5:6:7:8:9', ':::']) {
    test(JSON.stringify(bad), () => {
      assert.equal(classifyAddress(bad).class, 'invalid');
      assert.equal(isPublicAddress(bad), false);
    });
  }
});

test('parseIPv6 expands compression and IPv4 tails', () => {
  assert.deepEqual(parseIPv6('::ffff:1.2.3.4')?.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8')?.length, 16);
  assert.equal(parseIPv6('1:2:3:4:5:6:7::8'), null, ':: must stand for at least one group');
  assert.equal(canonicalAddress('::FFFF:7F00:1'), '0:0:0:0:0:ffff:7f00:1');
  assert.equal(canonicalAddress('::ffff:127.0.0.1'), '0:0:0:0:0:ffff:7f00:1');
});
