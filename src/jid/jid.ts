// The JID value (RFC 7622): parsed once, normalised per part, then compared as plain strings.
import { LruCache } from './cache.ts';
import { normalizeDomainpart } from './domain.ts';
import { JidError } from './error.ts';
import { MAX_INPUT_LENGTH } from './limits.ts';
import { normalizeLocalpart } from './localpart.ts';
import { normalizeResourcepart } from './resourcepart.ts';

// Set only inside trustedJid(): parts that come from an existing Jid are already enforced.
let partsAreEnforced = false;

/**
 * An XMPP address whose parts are in enforced form (RFC 7622 §3), so two Jids denote the same
 * entity exactly when their parts are equal strings. Instances are frozen and may be shared.
 */
export class Jid {
  /** The localpart, '' when absent. */
  readonly local: string;
  readonly domain: string;
  /** The resourcepart, '' when absent. */
  readonly resource: string;
  #string: string | undefined;
  #bare: Jid | undefined;

  /** Validates and normalises each part, like jid(); '' means the part is absent. Throws JidError. */
  constructor(local: string, domain: string, resource = '') {
    if (partsAreEnforced) {
      this.local = local;
      this.domain = domain;
      this.resource = resource;
    } else {
      this.local = local === '' ? '' : normalizeLocalpart(local);
      this.domain = normalizeDomainpart(domain);
      this.resource = resource === '' ? '' : normalizeResourcepart(resource);
    }
    Object.freeze(this);
  }

  /** True when there is no resourcepart. */
  get isBare(): boolean {
    return this.resource === '';
  }

  /** The same address without its resourcepart (RFC 6120 §1.4 "bare JID"). */
  bare(): Jid {
    if (this.isBare) return this;
    return (this.#bare ??= trustedJid(this.local, this.domain, ''));
  }

  /** The same bare address with another resourcepart; '' gives the bare JID. Throws JidError. */
  withResource(resource: string): Jid {
    return trustedJid(this.local, this.domain, resource === '' ? '' : normalizeResourcepart(resource));
  }

  equals(other: Jid | null | undefined): boolean {
    return (
      other != null &&
      (other === this ||
        (this.domain === other.domain && this.local === other.local && this.resource === other.resource))
    );
  }

  /** The address as it goes on the wire: [localpart@]domainpart[/resourcepart]. */
  toString(): string {
    return (this.#string ??=
      (this.local === '' ? '' : `${this.local}@`) + this.domain + (this.resource === '' ? '' : `/${this.resource}`));
  }

  toJSON(): string {
    return this.toString();
  }
}

function trustedJid(local: string, domain: string, resource: string): Jid {
  partsAreEnforced = true;
  try {
    return new Jid(local, domain, resource);
  } finally {
    partsAreEnforced = false;
  }
}

function parseUncached(s: string): Jid {
  if (s === '') throw new JidError('jid', 'is empty');
  if (s.length > MAX_INPUT_LENGTH) throw new JidError('jid', `is ${s.length} characters long; no valid JID exceeds 3071 octets (RFC 7622 §3.1)`);
  // RFC 7622 §3.1: split on the separators before any mapping, since mapping could produce '@' or '/'.
  // The resourcepart is everything after the first '/', and may itself contain '/' and '@'.
  const slash = s.indexOf('/');
  const address = slash === -1 ? s : s.slice(0, slash);
  const resource = slash === -1 ? '' : s.slice(slash + 1);
  // The localpart ends at the last '@' before the resourcepart. RFC 7622 §3.2 says the first '@',
  // but neither part may contain '@', so both splits accept exactly the same addresses; this one
  // blames the localpart, where XEP-0106 escaping is the fix.
  const at = address.lastIndexOf('@');
  const local = at === -1 ? '' : address.slice(0, at);
  const domain = at === -1 ? address : address.slice(at + 1);
  if (at !== -1 && local === '') throw new JidError('localpart', "is empty but '@' is present (RFC 7622 §3.3)");
  if (domain === '') throw new JidError('domainpart', 'is empty (RFC 7622 §3.2)');
  if (slash !== -1 && resource === '') throw new JidError('resourcepart', "is empty but '/' is present (RFC 7622 §3.4)");
  return new Jid(local, domain, resource);
}

// The 'to' and 'from' of every stanza are parsed, and the same addresses recur, so results are
// cached by their input text (and by their canonical text, which is what we send back out).
const parsed = new LruCache<Jid>(16384, 512);

/** Parses and normalises a JID string. Throws JidError saying which part is invalid and why. */
export function parseJid(s: string): Jid {
  if (typeof s !== 'string') throw new JidError('jid', `is not a string (got ${typeof s})`);
  const hit = parsed.get(s);
  if (hit !== undefined) return hit;
  const result = parseUncached(s);
  parsed.set(s, result);
  const canonical = result.toString();
  if (canonical !== s) parsed.set(canonical, result);
  return result;
}

/** Like parseJid(), but returns null for an invalid JID. */
export function tryParseJid(s: string): Jid | null {
  try {
    return parseJid(s);
  } catch (err) {
    if (err instanceof JidError) return null;
    throw err;
  }
}

/**
 * Builds a JID from separate parts, enforcing each as parseJid() would; an empty or missing
 * localpart or resourcepart means "absent". Use it instead of string concatenation, which would
 * let a '/' or '@' in one part leak into another.
 */
export function jid(local: string | null | undefined, domain: string, resource?: string | null): Jid {
  return new Jid(local ?? '', domain, resource ?? '');
}
