// XEP-0280 §6.2 / §6.3: a carbon is a message from the user's bare JID to one of its resources,
// of the same type, holding <received/> or <sent/> around a XEP-0297 <forwarded/> copy.
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { Jid } from '../../jid/index.ts';
import type { CarbonDirection } from './eligibility.ts';

export function carbonCopy(direction: CarbonDirection, original: Element, owner: Jid, to: Jid): Element {
  const copy = original.clone();
  // XEP-0297 §3: the forwarded stanza keeps its own namespace on the wire.
  if (copy.getNS() === undefined) copy.attrs.xmlns = NS.client;
  return xml(
    'message',
    { xmlns: NS.client, from: owner.bare().toString(), to: to.toString(), type: original.attrs.type },
    xml(direction, { xmlns: NS.carbons }, xml('forwarded', { xmlns: NS.forward }, copy)),
  );
}
