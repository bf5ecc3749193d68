// XEP-0030 Service Discovery for the server and for accounts' bare JIDs.
// Config: none. Features: disco#info, disco#items. Iq: get disco#info, get disco#items (host and bare).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';

export default defineModule({
  name: 'disco',
  description: 'XEP-0030 service discovery (info and items) for the server and accounts',
  options: z.object({ name: z.string().default('Parley').describe('Name in the server identity') }).strict(),
  start(ctx) {
    ctx.disco.addIdentity({ category: 'server', type: 'im', name: ctx.options.name }, 'host');
    ctx.disco.addIdentity({ category: 'account', type: 'registered' }, 'account');
    for (const scope of ['host', 'account'] as const) {
      ctx.disco.addFeature(NS.discoInfo, scope);
      ctx.disco.addFeature(NS.discoItems, scope);
    }

    ctx.iq.handle(NS.discoInfo, 'get', async ({ payload, target, to, from }) => {
      const node = payload.attrs.node;
      if (node !== undefined) throw new StanzaError('item-not-found', 'No such node');
      // XEP-0030 §8 / RFC 6121: the server answers for an account to its owner and to contacts
      // subscribed to the account's presence; others get service-unavailable (no presence leak).
      const scope = target === 'host' ? 'host' : 'account';
      if (scope === 'account' && !from.bare().equals(to.bare())) {
        const roster = ctx.services.get('roster');
        if (!roster || !(await roster.isSubscribedTo(to.local, to.domain, from.bare()))) throw new StanzaError('service-unavailable');
      }
      const q = xml('query', { xmlns: NS.discoInfo });
      for (const id of ctx.disco.getIdentities(scope)) q.append(xml('identity', { category: id.category, type: id.type, name: id.name }));
      for (const f of ctx.disco.getFeatures(scope)) q.append(xml('feature', { var: f }));
      if (scope === 'host') for (const form of ctx.disco.getExtensions()) q.append(form);
      return q;
    }, { scope: 'both' });

    ctx.iq.handle(NS.discoItems, 'get', ({ payload, target, to, from }): Element => {
      if (payload.attrs.node !== undefined) throw new StanzaError('item-not-found', 'No such node');
      const q = xml('query', { xmlns: NS.discoItems });
      if (target === 'bare' && !from.bare().equals(to.bare())) throw new StanzaError('service-unavailable');
      if (target === 'host') for (const item of ctx.disco.getItems(to.domain)) q.append(xml('item', { jid: item.jid, name: item.name, node: item.node }));
      return q;
    }, { scope: 'both' });
  },
});
