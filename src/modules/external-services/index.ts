// XEP-0215 External Service Discovery (v1.0.0): tells the server's own users about STUN/TURN
// (or other) services outside XMPP, with short-term credentials for services sharing a secret.
// Config: [modules.external-services] services = [{ type, host, port, transport, name, username,
//   password, secret, ttl, restricted }].
// Features: urn:xmpp:extdisco:2 (host). Iq: get urn:xmpp:extdisco:2 <services/> and <credentials/>.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { matching, serviceElement, type ExternalService } from './services.ts';

const service = z.object({
  type: z.string().min(1).describe('Registered service type: stun, turn, turns, ...'),
  host: z.string().min(1).describe('Host name or IP address'),
  port: z.number().int().min(1).max(65535).optional(),
  transport: z.enum(['udp', 'tcp']).optional(),
  name: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  secret: z.string().min(16).optional().describe('Secret shared with the service (coturn static-auth-secret): credentials are minted per request'),
  ttl: z.number().int().min(60).default(86400).describe('Lifetime of minted credentials, in seconds'),
  restricted: z.boolean().optional(),
}).strict();

export default defineModule({
  name: 'external-services',
  description: 'XEP-0215 external service discovery (STUN/TURN) for local users',
  options: z.object({
    services: z.array(service).default([]).describe('External services announced to local users (each: type, host, port, transport, name, username, password, secret, ttl, restricted)'),
  }).strict(),
  start(ctx) {
    const services: ExternalService[] = ctx.options.services;
    ctx.disco.addFeature(NS.extdisco);
    // §3: MAY answer forbidden to entities without permission: only our own users get the list
    // (it can carry credentials for our relays).
    const user = (from: { local: string; domain: string }) => {
      if (!from.local || !ctx.domains.includes(from.domain)) throw new StanzaError('forbidden', 'External services are for local users');
      return `${from.local}@${from.domain}`;
    };

    ctx.iq.handle(NS.extdisco, 'get', ({ payload, from }) => {
      const bare = user(from);
      if (payload.is('services', NS.extdisco)) {
        // §3.2: an optional type narrows the list.
        const type = payload.attrs.type;
        const list = services.filter((s) => type === undefined || s.type === type);
        return xml('services', { xmlns: NS.extdisco, type }, list.map((s) => serviceElement(s, bare, true)));
      }
      if (payload.is('credentials', NS.extdisco)) {
        const want = payload.getChild('service');
        // §3.3: the request names host and type (port optional).
        if (!want?.attrs.host || !want.attrs.type) throw new StanzaError('bad-request', '<service/> needs host and type');
        const found = matching(services, want.attrs.host, want.attrs.type, want.attrs.port).filter((s) => s.secret !== undefined || s.username !== undefined);
        if (found.length === 0) throw new StanzaError('item-not-found', 'No credentials for that service');
        return xml('credentials', { xmlns: NS.extdisco }, found.map((s) => serviceElement(s, bare, true)));
      }
      throw new StanzaError('bad-request', 'Expected <services/> or <credentials/>');
    }, { scope: 'host' });

    return () => ctx.disco.removeFeature(NS.extdisco);
  },
});
