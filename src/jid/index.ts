// XMPP addresses (RFC 7622): parsing, PRECIS/IDNA normalisation, comparison and XEP-0106 escaping.
// No server state; nothing here depends on the rest of Parley.
export { Jid, jid, parseJid, tryParseJid } from './jid.ts';
export { JidError, type JidPart } from './error.ts';
export { domainToAscii } from './domain.ts';
export { escapeLocal, unescapeLocal } from './escape.ts';
// The PRECIS profiles on their own, e.g. for SASL: RFC 8265 prepares SCRAM/PLAIN usernames with
// UsernameCaseMapped and passwords with OpaqueString (both throw PrecisError).
export { opaqueString, PrecisError, usernameCaseMapped } from './precis.ts';
