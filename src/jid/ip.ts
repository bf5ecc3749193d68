// IP addresses as domainparts (RFC 7622 §3.2: "IP-literal" or "IPv4address" of RFC 3986 §3.2.2).
// They bypass IDNA; they are kept as written, except that IPv6 hex digits are lowercased
// so that [2001:DB8::1] and [2001:db8::1] compare equal.

const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${DEC_OCTET}(?:\\.${DEC_OCTET}){3}$`);
const H16 = /^[0-9A-Fa-f]{1,4}$/;

/** RFC 3986 §3.2.2 IPv4address: four dec-octets without leading zeros. */
export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** RFC 3986 §3.2.2 IPv6address: eight 16-bit groups, '::' once for a run of zeros, optional IPv4 tail. */
export function isIPv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  let count = 0;
  for (let side = 0; side < groups.length; side++) {
    for (let i = 0; i < groups[side].length; i++) {
      const group = groups[side][i];
      const isLast = side === groups.length - 1 && i === groups[side].length - 1;
      if (isLast && group.includes('.')) {
        if (!isIPv4(group)) return false;
        count += 2; // ls32 = 32 bits = two groups
      } else if (H16.test(group)) count += 1;
      else return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** '[IPv6]' with lowercased hex, or null if it is not an IPv6 IP-literal (IPvFuture is not accepted). */
export function normalizeIpLiteral(s: string): string | null {
  if (s.length < 4 || s[0] !== '[' || s[s.length - 1] !== ']') return null;
  const address = s.slice(1, -1);
  return isIPv6(address) ? `[${address.toLowerCase()}]` : null;
}
