// Service discovery extensions: XEP-0157 contact addresses as a XEP-0128 extended-info form in the
// server's disco#info, and XEP-0215 external services (list, type filter, credentials).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { registerInBand } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';

const EXT = 'urn:xmpp:extdisco:2';
const SECRET = 'turn-shared-secret-for-tests';

describe('disco extensions (XEP-0128, XEP-0157, XEP-0215)', () => {
  let server: RunningServer;
  let ann: Client;
  const get = async (body: string): Promise<Element> => {
    const id = nextId('x');
    await send(ann, `<iq type="get" id="${id}" to="${server.domain}">${body}</iq>`);
    return expectStanza(ann, (el) => el.name === 'iq' && el.attrs.id === id && el.attrs.type !== 'get');
  };

  before(async () => {
    server = await startServer({
      readyTimeoutMs: 120_000,
      config: {
        admins: ['ann@localhost'],
        modules: {
          register: { enabled: true },
          'contact-info': { abuse: ['mailto:abuse@localhost', 'xmpp:abuse@localhost'], security: ['https://localhost/security'] },
          'external-services': {
            services: [
              { type: 'stun', host: 'stun.localhost', port: 3478, transport: 'udp' },
              { type: 'turn', host: 'turn.localhost', port: 3478, transport: 'udp', secret: SECRET, ttl: 600 },
              { type: 'turn', host: 'turn.localhost', port: 5349, transport: 'tcp', username: 'static-user', password: 'static-pass' },
            ],
          },
        },
      },
    });
    await registerInBand(server, 'ann', 'ann-password');
    ann = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'ann', password: 'ann-password', mechanism: 'PLAIN' });
  });
  after(async () => {
    if (ann) await disconnect(ann);
    await server?.stop();
  });

  test('XEP-0157 via XEP-0128: a serverinfo result form with the configured addresses, admin from `admins`', async () => {
    const reply = await get(`<query xmlns="http://jabber.org/protocol/disco#info"/>`);
    const forms = reply.getChild('query')!.getChildren('x', 'jabber:x:data');
    const form = forms.find((x) => x.getChildren('field').some((f) => f.attrs.var === 'FORM_TYPE' && f.getChildText('value') === 'http://jabber.org/network/serverinfo'));
    assert.ok(form, reply.toString());
    assert.equal(form.attrs.type, 'result');
    const values = Object.fromEntries(form.getChildren('field').map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.getText())]));
    assert.deepEqual(values, {
      FORM_TYPE: ['http://jabber.org/network/serverinfo'],
      'abuse-addresses': ['mailto:abuse@localhost', 'xmpp:abuse@localhost'],
      'admin-addresses': ['xmpp:ann@localhost'],
      'security-addresses': ['https://localhost/security'],
    });
    assert.ok(form.getChildren('field').filter((f) => f.attrs.var !== 'FORM_TYPE').every((f) => f.attrs.type === 'list-multi'));
  });

  test('XEP-0215: the feature, and every service with credentials where the server has them', async () => {
    const info = await get(`<query xmlns="http://jabber.org/protocol/disco#info"/>`);
    assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === EXT), info.toString());
    const reply = await get(`<services xmlns="${EXT}"/>`);
    const services = reply.getChild('services', EXT)!.getChildren('service');
    assert.deepEqual(services.map((s) => `${s.attrs.type} ${s.attrs.host}:${s.attrs.port}/${s.attrs.transport}`), ['stun stun.localhost:3478/udp', 'turn turn.localhost:3478/udp', 'turn turn.localhost:5349/tcp']);
    assert.equal(services[0].attrs.username, undefined);
    const minted = services[1];
    assert.equal(minted.attrs.restricted, '1');
    assert.match(minted.attrs.username, /^\d+:ann@localhost$/);
    assert.equal(minted.attrs.password, createHmac('sha1', SECRET).update(minted.attrs.username).digest('base64'), 'coturn use-auth-secret would accept it');
    const expires = Date.parse(minted.attrs.expires);
    assert.ok(Math.abs(expires - (Date.now() + 600_000)) < 60_000, minted.toString());
    assert.deepEqual([services[2].attrs.username, services[2].attrs.password], ['static-user', 'static-pass']);
  });

  test('XEP-0215 §3.2: a type narrows the list', async () => {
    const reply = await get(`<services xmlns="${EXT}" type="stun"/>`);
    const services = reply.getChild('services', EXT)!;
    assert.equal(services.attrs.type, 'stun');
    assert.deepEqual(services.getChildren('service').map((s) => s.attrs.host), ['stun.localhost']);
  });

  test('XEP-0215 §3.3: credentials for a host and type (and port); item-not-found for a service without any', async () => {
    const both = await get(`<credentials xmlns="${EXT}"><service host="turn.localhost" type="turn"/></credentials>`);
    assert.equal(both.getChild('credentials', EXT)!.getChildren('service').length, 2, both.toString());
    const one = await get(`<credentials xmlns="${EXT}"><service host="turn.localhost" type="turn" port="5349"/></credentials>`);
    assert.deepEqual(one.getChild('credentials', EXT)!.getChildren('service').map((s) => s.attrs.username), ['static-user']);
    const none = await get(`<credentials xmlns="${EXT}"><service host="stun.localhost" type="stun"/></credentials>`);
    assert.equal(none.attrs.type, 'error');
    assert.ok(none.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'), none.toString());
  });
});
