// npx tsx scripts/gen-xeps.ts: write docs/xeps.md and doap.xml from the one table below, so the
// human list and the machine-readable DOAP (XEP-0453 xmpp:SupportedXep entries) cannot disagree.
// Versions are those of the XEP sources Parley was built against (../shared/xeps/, snapshot of
// 2026-06-30; for XEPs not in that snapshot, the version published on xmpp.org). When a module
// adds or changes protocol support, edit the table and run the script.
import { writeFileSync } from 'node:fs';
import { PARLEY_VERSION } from '../src/core/version.ts';

type Support = 'complete' | 'partial';

interface Xep {
  number: string;
  title: string;
  version: string;
  status: Support;
  /** Where it lives: module names (src/modules/<name>) or core folders. */
  where: string;
  note?: string;
}

const XEPS: Xep[] = [
  { number: '0004', title: 'Data Forms', version: '2.13.2', status: 'complete', where: 'src/forms', note: 'parse, build and validate; used by every module with forms' },
  { number: '0030', title: 'Service Discovery', version: '2.5.0', status: 'complete', where: 'disco' },
  { number: '0048', title: 'Bookmarks', version: '1.2', status: 'complete', where: 'pep', note: 'compatibility with XEP-0402 (storage:bookmarks in private XML and PEP)' },
  { number: '0045', title: 'Multi-User Chat', version: '1.35.5', status: 'complete', where: 'muc', note: 'no room registration form (specs/muc.md); with the New MUC proto-XEP (urn:xmpp:muc:0, MUC2-PAM urn:xmpp:muc:pam:0) in the same rooms; docs/muc.md' },
  { number: '0049', title: 'Private XML Storage', version: '1.2', status: 'complete', where: 'private' },
  { number: '0050', title: 'Ad-Hoc Commands', version: '1.3.0', status: 'complete', where: 'adhoc', note: 'at the server JID; multi-stage with prev/next/complete, cancel, session expiry; English only (no bad-locale)' },
  { number: '0054', title: 'vcard-temp', version: '1.3.0', status: 'complete', where: 'vcard' },
  { number: '0059', title: 'Result Set Management', version: '1.0', status: 'complete', where: 'src/rsm, mam' },
  { number: '0060', title: 'Publish-Subscribe', version: '1.30.0', status: 'partial', where: 'pep', note: 'the subset PEP needs, at account JIDs (no generic pubsub service)' },
  { number: '0066', title: 'Out of Band Data', version: '1.5', status: 'partial', where: 'register', note: 'jabber:x:oob URL in the registration redirect (XEP-0077 §7)' },
  { number: '0077', title: 'In-Band Registration', version: '2.4', status: 'complete', where: 'register', note: 'registration, password change, cancel; decisions in docs/registration.md' },
  { number: '0084', title: 'User Avatar', version: '1.1.4', status: 'complete', where: 'pep', note: 'mirrored from and to vCard-temp' },
  { number: '0092', title: 'Software Version', version: '1.1', status: 'complete', where: 'version' },
  { number: '0114', title: 'Jabber Component Protocol', version: '1.6', status: 'complete', where: 'src/s2s' },
  { number: '0115', title: 'Entity Capabilities', version: '1.6.0', status: 'partial', where: 'caps', note: 'server side: verifies and caches clients\' caps for PEP +notify; the server does not advertise its own' },
  { number: '0128', title: 'Service Discovery Extensions', version: '1.0.1', status: 'complete', where: 'disco, contact-info, upload' },
  { number: '0133', title: 'Service Administration', version: '1.3.1', status: 'partial', where: 'admin-commands', note: 'add-user, delete-user, change-user-password, end-user-session, get-online-users-num, get-online-users-list, announce' },
  { number: '0153', title: 'vCard-Based Avatars', version: '1.1.1', status: 'complete', where: 'vcard', note: 'photo hash stamped into presence' },
  { number: '0156', title: 'Discovering Alternative XMPP Connection Methods', version: '1.4.0', status: 'complete', where: 'host-meta', note: 'host-meta and host-meta.json (WebSocket)' },
  { number: '0157', title: 'Contact Addresses for XMPP Services', version: '1.1.1', status: 'complete', where: 'contact-info' },
  { number: '0158', title: 'CAPTCHA Forms', version: '1.0.1', status: 'partial', where: 'register', note: 'in in-band registration (question-and-answer) and on entry to captcha_rooms (arithmetic); answers kept hashed; payment as the alternative per the Payment Required proto-XEP (urn:xmpp:payment:0, paid registration and rooms, docs/payment.md)' },
  { number: '0160', title: 'Best Practices for Handling Offline Messages', version: '1.0.1', status: 'complete', where: 'offline' },
  { number: '0163', title: 'Personal Eventing Protocol', version: '1.2.2', status: 'complete', where: 'pep' },
  { number: '0178', title: 'Best Practices for Use of SASL EXTERNAL with Certificates', version: '1.2', status: 'partial', where: 'src/s2s', note: 'server-to-server only' },
  { number: '0185', title: 'Dialback Key Generation and Validation', version: '1.0', status: 'complete', where: 'src/s2s' },
  { number: '0191', title: 'Blocking Command', version: '1.3', status: 'complete', where: 'blocking' },
  { number: '0198', title: 'Stream Management', version: '1.6.3', status: 'complete', where: 'sm', note: 'acks and resumption' },
  { number: '0199', title: 'XMPP Ping', version: '2.0.1', status: 'complete', where: 'ping, server-ping' },
  { number: '0202', title: 'Entity Time', version: '2.0', status: 'complete', where: 'time' },
  { number: '0203', title: 'Delayed Delivery', version: '2.0', status: 'complete', where: 'offline, mam' },
  { number: '0215', title: 'External Service Discovery', version: '1.0.0', status: 'partial', where: 'external-services', note: 'list and credentials (static or TURN REST secret); no pushed updates' },
  { number: '0220', title: 'Server Dialback', version: '1.1.1', status: 'complete', where: 'src/s2s' },
  { number: '0227', title: 'Portable Import/Export Format for XMPP-IM Servers', version: '1.1', status: 'complete', where: 'src/portability', note: 'parley export / import: SCRAM keys, roster, vCard, private XML, offline, PEP, MAM; imports Prosody and ejabberd files' },
  { number: '0237', title: 'Roster Versioning', version: '1.3', status: 'complete', where: 'roster' },
  { number: '0249', title: 'Direct MUC Invitations', version: '1.2', status: 'complete', where: 'muc' },
  { number: '0280', title: 'Message Carbons', version: '1.0.1', status: 'complete', where: 'carbons', note: 'errors are never copied, so urn:xmpp:carbons:rules:0 is not advertised' },
  { number: '0292', title: 'vCard4 Over XMPP', version: '0.12.0', status: 'partial', where: 'pep', note: 'vCard4 in PEP' },
  { number: '0297', title: 'Stanza Forwarding', version: '1.0', status: 'complete', where: 'carbons, mam' },
  { number: '0310', title: 'Presence State Annotations', version: '0.1', status: 'partial', where: 'muc', note: 'sent only: connection-paused on New MUC bare-JID occupants shown to XEP-0045 clients' },
  { number: '0313', title: 'Message Archive Management', version: '1.1.3', status: 'complete', where: 'mam', note: 'urn:xmpp:mam:2 and #extended; include-groupchat (#groupchat-field, #groupchat-available)' },
  { number: '0334', title: 'Message Processing Hints', version: '1.0.0', status: 'complete', where: 'carbons, mam, offline, csi', note: 'no-copy (carbons), no-store, no-permanent-store, store (mam, offline)' },
  { number: '0345', title: 'Form of Membership Applications', version: '1.1.0', status: 'complete', where: 'membership', note: 'ad-hoc commands with FORM_TYPE urn:parley:membership-application:0; private legal name for secretaries and board; export for a vote; docs/membership.md' },
  { number: '0352', title: 'Client State Indication', version: '1.0.0', status: 'complete', where: 'csi' },
  { number: '0357', title: 'Push Notifications', version: '0.4.1', status: 'complete', where: 'push' },
  { number: '0359', title: 'Unique and Stable Stanza IDs', version: '0.7.0', status: 'complete', where: 'mam' },
  { number: '0363', title: 'HTTP File Upload', version: '1.2.0', status: 'complete', where: 'upload' },
  { number: '0368', title: 'SRV records for XMPP over TLS', version: '1.1.0', status: 'complete', where: 'src/net, src/s2s', note: 'Direct TLS listeners for c2s and s2s' },
  { number: '0394', title: 'Message Markup', version: '0.3.0', status: 'partial', where: 'file-pull, emoji', note: 'relayed and archived intact; offsets shifted when file pull rewrites a body; with the Emoji Markup proto-XEP (urn:xmpp:markup:emoji:0, docs/emoji.md)' },
  { number: '0402', title: 'PEP Native Bookmarks', version: '1.2.0', status: 'complete', where: 'pep' },
  { number: '0410', title: 'MUC Self-Ping (Schrödinger\'s Chat)', version: '1.1.0', status: 'complete', where: 'muc' },
  { number: '0421', title: 'Anonymous unique occupant identifiers for MUCs', version: '0.2.0', status: 'complete', where: 'muc' },
  { number: '0425', title: 'Message Moderation', version: '0.3.0', status: 'complete', where: 'muc', note: 'moderator retraction with a tombstone in the room archive' },
  { number: '0440', title: 'SASL Channel-Binding Type Capability', version: '0.5', status: 'complete', where: 'src/sasl, src/stream' },
  { number: '0441', title: 'Message Archive Management Preferences', version: '0.2.0', status: 'complete', where: 'mam' },
  { number: '0447', title: 'Stateless file sharing', version: '0.3.1', status: 'partial', where: 'file-pull, emoji, mam', note: 'relayed and archived intact; remote sources pulled and re-hosted (file pull), emoji images within emoji limits' },
  { number: '0467', title: 'XMPP over QUIC', version: '0.1.0', status: 'complete', where: 'src/net/quic, src/s2s/quic', note: 'c2s and s2s (s2s on its own UDP port); plus Parley quic-ack and mux, see docs/quic.md' },
];

/** RFCs the server implements (DOAP <implements/> without an xmpp:SupportedXep). */
const RFCS: Array<[string, string]> = [
  ['6120', 'XMPP Core'], ['6121', 'XMPP IM'], ['7622', 'XMPP Address Format'], ['7395', 'XMPP over WebSocket'],
  ['5802', 'SCRAM'], ['7677', 'SCRAM-SHA-256'], ['9266', 'Channel Bindings for TLS 1.3'], ['4616', 'PLAIN'], ['8265', 'PRECIS usernames and passwords'],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function markdown(): string {
  const rows = XEPS.map((x) => `| [XEP-${x.number}](https://xmpp.org/extensions/xep-${x.number}.html) | ${x.title} | ${x.version} | ${x.status} | ${x.where} | ${x.note ?? ''} |`);
  return [
    '# Supported XEPs',
    '',
    '<!-- Generated by `npx tsx scripts/gen-xeps.ts` (with doap.xml) from the table in that script. Do not edit by hand. -->',
    '',
    'What Parley implements, the version of each XEP it follows, and how complete that support is.',
    '"Where" names the module (`src/modules/<name>`, listed in `src/modules/registry.ts`) or the core',
    'folder. The same list is in machine-readable form in [`doap.xml`](../doap.xml) (XEP-0453).',
    '',
    '| XEP | title | version | support | where | notes |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `RFCs: ${RFCS.map(([n, t]) => `RFC ${n} (${t})`).join(', ')}.`,
    '',
    'Modules without a XEP of their own: `roster` (RFC 6121 rosters and presence), `admin-web` (web',
    'administration).',
    '',
  ].join('\n');
}

function doap(): string {
  const xeps = XEPS.map((x) => `    <implements>
      <xmpp:SupportedXep>
        <xmpp:xep rdf:resource="https://xmpp.org/extensions/xep-${x.number}.html"/>
        <xmpp:version>${x.version}</xmpp:version>
        <xmpp:status>${x.status}</xmpp:status>${x.note ? `\n        <xmpp:note xml:lang="en">${esc(x.note)}</xmpp:note>` : ''}
      </xmpp:SupportedXep>
    </implements>`);
  const rfcs = RFCS.map(([n]) => `    <implements rdf:resource="https://www.rfc-editor.org/info/rfc${n}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by \`npx tsx scripts/gen-xeps.ts\` (with docs/xeps.md). Do not edit by hand. -->
<rdf:RDF xmlns="http://usefulinc.com/ns/doap#"
         xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:foaf="http://xmlns.com/foaf/0.1/"
         xmlns:xmpp="https://linkmauve.fr/ns/xmpp-doap#">
  <Project>
    <name>Parley</name>
    <shortdesc xml:lang="en">An XMPP server in TypeScript</shortdesc>
    <description xml:lang="en">Parley is an XMPP server for Node.js: client and server connections, rosters and presence, message archives, PEP, multi-device features, file upload and administration, with SQLite storage.</description>
    <license rdf:resource="https://spdx.org/licenses/Apache-2.0.html"/>
    <programming-language>TypeScript</programming-language>
    <category rdf:resource="https://linkmauve.fr/ns/xmpp-doap#category-server"/>
    <os>Linux</os>
    <release>
      <Version>
        <revision>${PARLEY_VERSION}</revision>
      </Version>
    </release>
${rfcs.join('\n')}
${xeps.join('\n')}
  </Project>
</rdf:RDF>
`;
}

writeFileSync(new URL('../docs/xeps.md', import.meta.url), markdown());
writeFileSync(new URL('../doap.xml', import.meta.url), doap());
console.log(`docs/xeps.md and doap.xml written (${XEPS.length} XEPs)`);
