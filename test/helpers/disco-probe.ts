// Whether the server under test advertises a feature (XEP-0030), so a test can assert the
// behaviour that goes with it, e.g. XEP-0160 offline storage ('msgoffline', XEP-0160 §4).
import { expectStanza, nextId, send, type Client } from './xmppjs.ts';

export async function hasServerFeature(c: Client, domain: string, feature: string): Promise<boolean> {
  const id = nextId('disco');
  await send(c, `<iq type='get' to='${domain}' id='${id}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const info = await expectStanza(c, `<iq id='${id}' type='result'/>`);
  return info.getChild('query')?.getChildren('feature').some((f) => f.attrs.var === feature) ?? false;
}
