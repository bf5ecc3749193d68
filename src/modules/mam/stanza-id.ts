// XEP-0359 Unique and Stable Stanza IDs: the <stanza-id/> a server adds for its archive, and the
// rule that it must not let anyone else's claim to be "by" it through (§5 Security Considerations).
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/** Removes every <stanza-id/> whose 'by' JID satisfies `claimsUs`; returns how many. */
export function stripStanzaIds(stanza: Element, claimsUs: (by: Jid) => boolean): number {
  let removed = 0;
  stanza.removeChildren((c) => {
    if (!c.is('stanza-id', NS.stanzaId)) return false;
    const by = tryParseJid(c.attrs.by ?? '');
    // §5: a stanza-id whose 'by' cannot even be parsed claims nothing of ours, but it cannot be
    // trusted either; drop it so clients never see an unverifiable id.
    const drop = by === null || claimsUs(by);
    if (drop) removed++;
    return drop;
  });
  return removed;
}

/** §2.1: <stanza-id xmlns='urn:xmpp:sid:0' by='archive JID' id='archive id'/>. */
export function stampStanzaId(stanza: Element, by: Jid, id: string): void {
  stanza.append(xml('stanza-id', { xmlns: NS.stanzaId, by: by.toString(), id }));
}
