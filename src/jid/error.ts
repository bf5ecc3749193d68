// The one error type of this package: a JID (or one of its parts) is malformed.
// It names the part and says why, so that callers can answer with a useful
// <jid-malformed/> text (RFC 6120 §8.3.3.8) or stream error without re-validating.

/** The part of an address that failed (RFC 7622 §3.2-3.4); 'jid' is the address as a whole. */
export type JidPart = 'jid' | 'localpart' | 'domainpart' | 'resourcepart';

export class JidError extends Error {
  override readonly name = 'JidError';

  constructor(
    readonly part: JidPart,
    /** Why the part is invalid, citing the rule it breaks. */
    readonly reason: string,
  ) {
    super(part === 'jid' ? `invalid JID: ${reason}` : `invalid ${part}: ${reason}`);
  }
}
