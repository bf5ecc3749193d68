// Classifies IP addresses for the outbound-fetch SSRF guard (file pull): which special-purpose
// range an address is in, per the IANA special-purpose registries (RFC 6890 and updates).
// IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96,
// 6to4 2002::/16) are classified by the address they embed, so ::ffff:10.0.0.1 is private.
// Pure: no sockets, no DNS. Anything that is not clearly public is not 'public'.

export type AddressClass =
  | 'public'
  | 'loopback' // 127/8, ::1 (RFC 1122, RFC 4291)
  | 'private' // 10/8, 172.16/12, 192.168/16 (RFC 1918), fec0::/10, 64:ff9b:1::/48
  | 'carrier-nat' // 100.64/10 (RFC 6598)
  | 'link-local' // 169.254/16 (RFC 3927, incl. cloud metadata 169.254.169.254), fe80::/10
  | 'unique-local' // fc00::/7 (RFC 4193)
  | 'multicast' // 224/4, ff00::/8
  | 'broadcast' // 255.255.255.255
  | 'unspecified' // 0.0.0.0, ::
  | 'documentation' // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  | 'reserved' // everything else special: 0/8, 240/4, 198.18/15, 192.0.0/24, Teredo, unallocated IPv6
  | 'invalid';

export interface Classification {
  class: AddressClass;
  /** For IPv6 forms carrying an IPv4 address: which form, and the IPv4 address that was classified. */
  embedded?: { form: 'ipv4-mapped' | 'ipv4-compatible' | 'nat64' | '6to4'; ipv4: string };
}

/** Dotted quad, no leading zeros (the forms Node's resolver returns). */
export function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** 16 bytes, or null. Accepts '::' compression, an IPv4 tail and a %zone suffix (ignored). */
export function parseIPv6(input: string): number[] | null {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const words = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const groups = h.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return null;
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

function inV4(a: number[], net: [number, number, number, number], bits: number): boolean {
  const x = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  const n = ((net[0] << 24) | (net[1] << 16) | (net[2] << 8) | net[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (x & mask) >>> 0 === (n & mask) >>> 0;
}

function classifyV4(a: number[]): AddressClass {
  if (a.every((b) => b === 0)) return 'unspecified';
  if (a.every((b) => b === 255)) return 'broadcast';
  if (inV4(a, [127, 0, 0, 0], 8)) return 'loopback';
  if (inV4(a, [10, 0, 0, 0], 8) || inV4(a, [172, 16, 0, 0], 12) || inV4(a, [192, 168, 0, 0], 16)) return 'private';
  if (inV4(a, [100, 64, 0, 0], 10)) return 'carrier-nat';
  if (inV4(a, [169, 254, 0, 0], 16)) return 'link-local';
  if (inV4(a, [224, 0, 0, 0], 4)) return 'multicast';
  if (inV4(a, [192, 0, 2, 0], 24) || inV4(a, [198, 51, 100, 0], 24) || inV4(a, [203, 0, 113, 0], 24)) return 'documentation';
  if (inV4(a, [0, 0, 0, 0], 8) || inV4(a, [240, 0, 0, 0], 4) || inV4(a, [198, 18, 0, 0], 15) || inV4(a, [192, 0, 0, 0], 24) || inV4(a, [192, 88, 99, 0], 24)) return 'reserved';
  return 'public';
}

function prefix(b: number[], bytes: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const bit = 7 - (i & 7);
    if (((b[byte] >> bit) & 1) !== (((bytes[byte] ?? 0) >> bit) & 1)) return false;
  }
  return true;
}

const v4of = (b: number[], at: number) => b.slice(at, at + 4);
const dotted = (a: number[]) => a.join('.');

function classifyV6(b: number[]): Classification {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 16)) return { class: 'unspecified' };
  if (zero(0, 15) && b[15] === 1) return { class: 'loopback' };
  const embedded = (form: NonNullable<Classification['embedded']>['form'], at: number): Classification => {
    const v4 = v4of(b, at);
    return { class: classifyV4(v4), embedded: { form, ipv4: dotted(v4) } };
  };
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return embedded('ipv4-mapped', 12);
  if (zero(0, 12)) return embedded('ipv4-compatible', 12); // deprecated ::a.b.c.d (RFC 4291 §2.5.5.1)
  if (prefix(b, [0x00, 0x64, 0xff, 0x9b], 96)) return embedded('nat64', 12); // RFC 6052 well-known prefix
  if (prefix(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) return { class: 'private' }; // RFC 8215 local-use NAT64
  if (prefix(b, [0x20, 0x02], 16)) return embedded('6to4', 2); // RFC 3056
  if (prefix(b, [0xfc], 7)) return { class: 'unique-local' };
  if (prefix(b, [0xfe, 0x80], 10)) return { class: 'link-local' };
  if (prefix(b, [0xfe, 0xc0], 10)) return { class: 'private' }; // deprecated site-local
  if (prefix(b, [0xff], 8)) return { class: 'multicast' };
  if (prefix(b, [0x20, 0x01, 0x0d, 0xb8], 32) || prefix(b, [0x3f, 0xff], 20)) return { class: 'documentation' };
  // Teredo (2001::/32) hides its IPv4 server/client; benchmarking, ORCHID, discard-only: not destinations.
  if (prefix(b, [0x20, 0x01, 0x00, 0x00], 32) || prefix(b, [0x20, 0x01, 0x00, 0x02], 48) || prefix(b, [0x20, 0x01, 0x00, 0x10], 28) || prefix(b, [0x01, 0x00], 64)) return { class: 'reserved' };
  // Only 2000::/3 is allocated global unicast.
  if (!prefix(b, [0x20], 3)) return { class: 'reserved' };
  return { class: 'public' };
}

/** Classify an IPv4 or IPv6 address written as text. */
export function classifyAddress(address: string): Classification {
  const v4 = parseIPv4(address);
  if (v4) return { class: classifyV4(v4) };
  const v6 = parseIPv6(address);
  if (v6) return classifyV6(v6);
  return { class: 'invalid' };
}

export function isPublicAddress(address: string): boolean {
  return classifyAddress(address).class === 'public';
}

/** Canonical text for comparisons (allowlists): IPv4 as is, IPv6 as 8 lowercase hex groups; null if not an address. */
export function canonicalAddress(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4) return dotted(v4);
  const v6 = parseIPv6(address);
  if (!v6) return null;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((v6[i] << 8) | v6[i + 1]).toString(16));
  return words.join(':');
}
