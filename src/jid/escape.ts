// JID Escaping (XEP-0106): lets a localpart carry the characters RFC 7622 §3.3.1 excludes, plus
// space, as '\' + two lowercase hex digits. Escaping is for input from people and gateways;
// JIDs are always compared in escaped form (XEP-0106 §4.1 rule 5).
import { JidError } from './error.ts';

const ESCAPES: Record<string, string> = {
  ' ': '\\20', '"': '\\22', '&': '\\26', "'": '\\27', '/': '\\2f',
  ':': '\\3a', '<': '\\3c', '>': '\\3e', '@': '\\40', '\\': '\\5c',
};
const TO_ESCAPE = /[ "&'/:<>@\\]/g;

/**
 * Escapes a localpart typed by a user (XEP-0106 §3.2). Every backslash is escaped, as in the
 * spec's table of examples (§5.1: 'c:\net' -> 'c\3a\5cnet'), so unescapeLocal() always restores
 * the input. Throws JidError for a leading or trailing space, which §4.1 rule 6 forbids
 * (\20 must not begin or end an escaped localpart) — trimming silently would change the address.
 */
export function escapeLocal(local: string): string {
  if (local.startsWith(' ') || local.endsWith(' ')) {
    throw new JidError('localpart', 'begins or ends with a space, which XEP-0106 §4.1 cannot escape');
  }
  return local.replace(TO_ESCAPE, (c) => ESCAPES[c]);
}

// §4.1 rule 3 and §4.3: only these sequences, lowercase, are unescaped; partial or other
// sequences ('\2plus', 'foo\bar', 'foob\41r') are left as they are.
const ESCAPED = /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/g;

/** Unescapes a localpart for display or gatewaying (XEP-0106 §3.3). */
export function unescapeLocal(local: string): string {
  return local.replace(ESCAPED, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
