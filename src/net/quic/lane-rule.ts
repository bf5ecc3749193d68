// The stream-assignment rule of Parley's QUIC mux (docs/quic.md §4.1, specs/quic.md §4.1), shared
// by the server and the client library. Pure: stanza in, lane key out.
//
// K(stanza) = (class, {bare(self), bare(peer)}): the unordered pair of bare JIDs of one
// conversation. Stanzas with the same key stay on one lane, so RFC 6120 §10.1 order holds per
// conversation; stanzas of different conversations may travel on different lanes.
import type { Element } from '../../xml/element.ts';

export const NS_MUX = 'urn:xmpp:quic-mux:0';
export const NS_ACK = 'urn:xmpp:quic-ack:0';
const NS_IBB = 'http://jabber.org/protocol/ibb';
const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';
const NS_MAM = 'urn:xmpp:mam:2';
const NS_ROSTER = 'jabber:iq:roster';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

const bare = (jid: string): string => {
  const slash = jid.indexOf('/');
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
};

/**
 * The lane key of a stanza, or null when it belongs on lane 0 (control).
 * self: the bare JID of the session's account; peerAttr: which address names the other side
 * ('to' for what a client sends, 'from' for what a server delivers to the client).
 */
export function laneKey(st: Element, self: string, peerAttr: 'to' | 'from'): string | null {
  const me = bare(self);
  if (st.name === 'message') {
    // XEP-0280: a carbon copy travels with the conversation of the message it wraps.
    const carbon = st.getChild('received', NS_CARBONS) ?? st.getChild('sent', NS_CARBONS);
    const inner = carbon?.getChild('forwarded', NS_FORWARD)?.getChild('message');
    if (inner) {
      const other = inner.attrs.to && bare(inner.attrs.to) !== me ? inner.attrs.to : inner.attrs.from;
      return other ? pairKey('std', me, other) : null;
    }
    if (st.getChild('result', NS_MAM)) return 'mam';
  }
  if (st.name === 'iq' && st.getChild('query', NS_MAM) && peerAttr === 'to') return null;
  const peer = st.attrs[peerAttr];
  if (!peer) return null;
  const peerBare = bare(peer);
  // Own account, bare domains (server services, roster, blocking, PEP of self): control lane.
  if (peerBare === me || !peerBare.includes('@')) return null;
  if (st.name === 'presence') {
    const type = st.attrs.type;
    if (type === 'subscribe' || type === 'subscribed' || type === 'unsubscribe' || type === 'unsubscribed' || type === 'probe') return null;
    // Delivered to a client, a contact's broadcast presence looks like directed presence; only a
    // room's occupant presence (XEP-0045 muc#user) must stay ahead of the room's messages.
    if (peerAttr === 'from' && !st.getChild('x', NS_MUC_USER)) return null;
  }
  if (st.name === 'iq' && st.getChild('query', NS_ROSTER)) return null;
  const ibb = st.getChildByNS(NS_IBB);
  return pairKey(ibb ? 'ibb' : 'std', me, peerBare);
}

/**
 * The lane key of a stanza between two servers (specs/quic.md §4.1, S2S), or null for lane 0:
 * (class, {bare(from), bare(to)}). Domain-to-domain stanzas (either address a bare domain) take
 * lane 0. Unlike C2S, subscription presence and probes between two accounts keep the pair's key,
 * so they stay in order with that pair's messages.
 */
export function s2sLaneKey(st: Element): string | null {
  const from = st.attrs.from;
  const to = st.attrs.to;
  if (!from || !to) return null;
  const a = bare(from);
  const b = bare(to);
  if (!a.includes('@') || !b.includes('@')) return null;
  return pairKey(st.getChildByNS(NS_IBB) ? 'ibb' : 'std', a, b);
}

function pairKey(cls: string, a: string, b: string): string {
  const x = bare(a);
  const y = bare(b);
  return x < y ? `${cls}|${x}|${y}` : `${cls}|${y}|${x}`;
}

/** A stanza is a message, presence or iq in the client namespace (what ack counters count). */
export function isStanza(el: Element): boolean {
  return el.name === 'message' || el.name === 'presence' || el.name === 'iq';
}
