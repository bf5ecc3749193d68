// Parsing and building of SCRAM messages (RFC 5802 §7 grammar). Pure string functions: every
// deviation from the grammar is reported as an error text, which the mechanism turns into
// 'malformed-request'.

export type Parsed<T> = { ok: true; value: T } | { ok: false; text: string };

export interface ClientFirst {
  /** RFC 5802 §7 gs2-cbind-flag: 'n' no support, 'y' client supports but thinks the server does not, 'p' in use. */
  cbFlag: 'n' | 'y' | 'p';
  /** cb-name when cbFlag is 'p'. */
  cbName?: string;
  authzid?: string;
  username: string;
  clientNonce: string;
  /** gs2-header exactly as sent, including both commas; the client repeats it in c= (RFC 5802 §7). */
  gs2Header: string;
  /** client-first-message-bare, the first part of AuthMessage (RFC 5802 §3). */
  bare: string;
}

export interface ClientFinal {
  /** Decoded c= attribute: gs2-header followed by the channel-binding data. */
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, the last part of AuthMessage. */
  withoutProof: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(text: string): Parsed<T> => ({ ok: false, text });

// RFC 5802 §7: cb-name = 1*(ALPHA / DIGIT / "." / "-").
const CB_NAME = /^[A-Za-z0-9.-]+$/;
// RFC 5802 §7: printable = %x21-2B / %x2D-7E (no comma).
const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/;
// RFC 5802 §7: saslname = 1*(value-safe-char / "=2C" / "=3D"); value-safe-char excludes NUL, "," and "=".
const SASLNAME = /^(?:[^\0,=]|=2C|=3D)+$/;
// RFC 5802 §7: attr-val = ALPHA "=" value; value = 1*value-char (any UTF-8 but NUL and ",").
const ATTR_VAL = /^[A-Za-z]=[^\0,]+$/;
// RFC 4648 §4 base64 with padding, as RFC 5802 §7 requires.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 5802 §5.1: "=2C" and "=3D" stand for "," and "="; any other "=" fails the exchange. */
export function decodeSaslname(s: string): string | null {
  if (!SASLNAME.test(s)) return null;
  return s.replace(/=2C|=3D/g, (m) => (m === '=2C' ? ',' : '='));
}

export function encodeSaslname(s: string): string {
  return s.replace(/[=,]/g, (c) => (c === ',' ? '=2C' : '=3D'));
}

export function decodeBase64Strict(s: string): Buffer | null {
  return s.length > 0 && BASE64.test(s) ? Buffer.from(s, 'base64') : null;
}

function attr(part: string | undefined, name: string): string | null {
  return part !== undefined && part.startsWith(`${name}=`) ? part.slice(name.length + 1) : null;
}

/** RFC 5802 §7 client-first-message = gs2-header client-first-message-bare. */
export function parseClientFirst(msg: string): Parsed<ClientFirst> {
  const c1 = msg.indexOf(',');
  const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
  if (c2 < 0) return bad('missing gs2 header');
  const flag = msg.slice(0, c1);
  const authzPart = msg.slice(c1 + 1, c2);
  const gs2Header = msg.slice(0, c2 + 1);
  const bare = msg.slice(c2 + 1);

  let cbFlag: ClientFirst['cbFlag'];
  let cbName: string | undefined;
  if (flag === 'n' || flag === 'y') cbFlag = flag;
  else {
    const name = attr(flag, 'p');
    if (name === null || !CB_NAME.test(name)) return bad('invalid gs2 channel-binding flag');
    cbFlag = 'p';
    cbName = name;
  }

  let authzid: string | undefined;
  if (authzPart !== '') {
    const raw = attr(authzPart, 'a');
    const decoded = raw === null ? null : decodeSaslname(raw);
    if (decoded === null) return bad('invalid authzid');
    authzid = decoded;
  }

  const parts = bare.split(',');
  // RFC 5802 §5.1: 'm' is reserved for mandatory extensions; the server must fail if it sees one.
  if (parts[0]?.startsWith('m=')) return bad('mandatory extensions are not supported');
  const rawUser = attr(parts[0], 'n');
  const username = rawUser === null ? null : decodeSaslname(rawUser);
  if (username === null) return bad('invalid username');
  const clientNonce = attr(parts[1], 'r');
  if (clientNonce === null || !PRINTABLE.test(clientNonce)) return bad('invalid client nonce');
  // RFC 5802 §5.1: optional extensions must be well formed; unknown ones are ignored.
  if (!parts.slice(2).every((p) => ATTR_VAL.test(p))) return bad('invalid extension');

  return ok({ cbFlag, cbName, authzid, username, clientNonce, gs2Header, bare });
}

/** RFC 5802 §7 client-final-message = channel-binding "," nonce ["," extensions] "," proof. */
export function parseClientFinal(msg: string): Parsed<ClientFinal> {
  const parts = msg.split(',');
  if (parts.length < 3) return bad('client-final-message is incomplete');
  const cb = attr(parts[0], 'c');
  const channelBinding = cb === null ? null : decodeBase64Strict(cb);
  if (channelBinding === null) return bad('invalid channel binding attribute');
  const nonce = attr(parts[1], 'r');
  if (nonce === null || !PRINTABLE.test(nonce)) return bad('invalid nonce');
  const last = parts[parts.length - 1];
  const p = attr(last, 'p');
  const proof = p === null ? null : decodeBase64Strict(p);
  if (proof === null) return bad('invalid proof attribute');
  if (!parts.slice(2, -1).every((x) => ATTR_VAL.test(x))) return bad('invalid extension');
  return ok({ channelBinding, nonce, proof, withoutProof: msg.slice(0, msg.length - last.length - 1) });
}

/** RFC 5802 §7 server-first-message = nonce "," salt "," iteration-count ["," extensions]. */
export function buildServerFirst(nonce: string, saltB64: string, iterations: number, extensions: string[] = []): string {
  return [`r=${nonce}`, `s=${saltB64}`, `i=${iterations}`, ...extensions].join(',');
}

/** RFC 5802 §7 server-final-message = verifier. */
export function buildServerFinal(serverSignature: Buffer): string {
  return `v=${serverSignature.toString('base64')}`;
}

export function isPrintableNonce(s: string): boolean {
  return PRINTABLE.test(s);
}
