// XEP-0199 XMPP Ping: answer pings to the server (and to an account's bare JID on its behalf).
// Config: none. Features: urn:xmpp:ping. Iq: get urn:xmpp:ping (host and bare).
import { defineModule } from '../types.ts';
import { NS } from '../../xml/namespaces.ts';

export default defineModule({
  name: 'ping',
  description: 'XEP-0199 XMPP Ping',
  start(ctx) {
    ctx.disco.addFeature(NS.ping);
    ctx.iq.handle(NS.ping, 'get', () => undefined, { scope: 'both' });
  },
});
