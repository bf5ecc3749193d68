// XEP-0060 §5 discovery on a PEP service (XEP-0163 §8 "MUST support node discovery"): disco#items
// at the bare JID lists the nodes the requester may read (§5.2), disco#items with a node lists its
// item ids (§5.5), disco#info with a node describes it as a leaf (§5.3). Answers only what PEP owns:
// disco#info without a node stays with the disco module.
import type { Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { mayAccess } from './access.ts';
import { NS_PUBSUB } from './handlers.ts';
import type { PepServiceImpl } from './service.ts';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';

/** The answer to a disco query at `owner`'s bare JID, or undefined when PEP does not own the query. */
export async function pepDisco(service: PepServiceImpl, owner: Jid, requester: Jid, query: Element, accountExists: () => Promise<boolean>): Promise<Element | undefined> {
  const node = query.attrs.node;
  const isItems = query.is('query', NS_DISCO_ITEMS);
  if (!isItems && (!query.is('query', NS_DISCO_INFO) || node === undefined)) return undefined;
  if (!(await accountExists())) throw new StanzaError('service-unavailable');
  if (node === undefined) {
    const out = xml('query', { xmlns: NS_DISCO_ITEMS });
    for (const n of await service.nodes(owner)) {
      const config = service.config(n);
      if (await mayAccess(service.accessContext(owner, n.node, config), requester)) out.append(xml('item', { jid: owner.toString(), node: n.node, name: config.title || undefined }));
    }
    return out;
  }
  const n = await service.node(owner, node);
  if (!n || !(await mayAccess(service.accessContext(owner, node, service.config(n)), requester))) throw new StanzaError('item-not-found', `No node ${node}`);
  if (isItems) {
    const list = await service.items(owner, node, requester);
    return xml('query', { xmlns: NS_DISCO_ITEMS, node }, list.map((i) => xml('item', { jid: owner.toString(), name: i.id })));
  }
  return xml('query', { xmlns: NS_DISCO_INFO, node }, xml('identity', { category: 'pubsub', type: 'leaf' }), xml('feature', { var: NS_PUBSUB }));
}
