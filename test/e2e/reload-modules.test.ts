// Config reload of module options (SIGHUP and `parley ctl reload`, docs/admin.md): a changed
// [modules.register] / [modules.offline] applies to new requests while existing sessions stay up;
// options a module cannot change live are logged as needing a restart; an invalid module option
// refuses the whole reload and the running configuration stays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'smol-toml';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { preAuthStream, rawIq } from '../helpers/raw-iq.ts';
import { connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import type { RawXmpp } from '../helpers/raw.ts';

type Toml = Record<string, Record<string, Record<string, unknown>>>;

describe('config reload of module options', () => {
  let s: RunningServer;
  let alice: Client;
  const raws: RawXmpp[] = [];

  /** Rewrites the config file with fn applied to its [modules] table. */
  const editModules = (fn: (modules: Record<string, Record<string, unknown>>) => void) => {
    const cfg = parse(readFileSync(s.configPath, 'utf8')) as Toml;
    cfg.modules ??= {};
    fn(cfg.modules);
    writeFileSync(s.configPath, stringify(cfg));
  };
  const count = (re: RegExp) => s.logs().split('\n').filter((l) => re.test(l)).length;
  /** Sends SIGHUP and waits for one more log line matching re than before. */
  const sighup = async (re: RegExp, timeoutMs = 15_000) => {
    const n = count(re);
    process.kill(s.pid, 'SIGHUP');
    const deadline = Date.now() + timeoutMs;
    while (count(re) <= n) {
      if (Date.now() > deadline) throw new Error(`no new ${re} after SIGHUP; logs:\n${s.logs().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** What a new, unauthenticated client sees of in-band registration. */
  const registration = async (): Promise<{ offered: boolean; get: string }> => {
    const { raw, features } = await preAuthStream(s);
    raws.push(raw);
    const reply = await rawIq(raw, `<iq type='get' id='rg'><query xmlns='jabber:iq:register'/></iq>`, 'rg');
    const cond = reply.getChild('error')?.getChildElements().find((e) => e.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name;
    return { offered: /iq-register/.test(features), get: reply.attrs.type === 'result' ? 'result' : `error:${cond}` };
  };

  before(async () => {
    s = await startServer({ config: { modules: { register: { enabled: true, max_per_address_hour: 1000, max_iqs_per_stream: 50 } } } });
    await s.adduser('alice', 'alicepass');
    await s.adduser('bob', 'bobpass');
    alice = await connectXmppjs({ port: s.ports.c2s, domain: 'localhost', username: 'alice', password: 'alicepass' });
  });
  after(async () => {
    for (const r of raws) r.destroy();
    if (alice) await disconnect(alice).catch(() => {});
    await s?.stop();
  });

  test('SIGHUP: registration closes and the offline quota shrinks for new requests; the old session stays', async () => {
    assert.deepEqual(await registration(), { offered: true, get: 'result' }, 'control: registration open before the reload');
    editModules((m) => {
      m.register.enabled = false;
      m.offline = { max_messages: 1 };
      m.muc = { host: 'rooms.{domain}' }; // not changeable live
    });
    await sighup(/"msg":"configuration reloaded"/);
    const logs = s.logs();
    assert.match(logs, /"module":"register","options":\["enabled"\],"msg":"module options reloaded"/);
    assert.match(logs, /"module":"offline","options":\["max_messages"\],"msg":"module options reloaded"/);
    assert.match(logs, /"module":"muc","options":\["host"\],"msg":"restart needed for these module options"/);

    assert.deepEqual(await registration(), { offered: false, get: 'error:service-unavailable' });
    // The session from before the reload still works, and the new quota applies to it.
    await sync(alice, 'localhost');
    await send(alice, `<message to='bob@localhost' type='chat' id='o1'><body>one</body></message>`);
    await sync(alice, 'localhost');
    await send(alice, `<message to='bob@localhost' type='chat' id='o2'><body>two</body></message>`);
    const bounce = await expectStanza(alice, (e) => e.name === 'message' && e.attrs.id === 'o2' && e.attrs.type === 'error');
    assert.ok(bounce.getChild('error')?.getChild('service-unavailable'), bounce.toString());
  });

  test('an invalid module option on SIGHUP is refused and logged; the running config stays', async () => {
    editModules((m) => {
      m.register.enabled = true;
      m.register.min_password_length = 0; // below the minimum of 1
    });
    await sighup(/reload refused: configuration is invalid/);
    assert.match(s.logs(), /modules\.register\.min_password_length/);
    process.kill(s.pid, 0); // still running
    assert.deepEqual(await registration(), { offered: false, get: 'error:service-unavailable' }, 'enabled = true from the refused file was not applied');
    await sync(alice, 'localhost');
  });

  test('`parley ctl reload` applies the fixed file and says what changed', async () => {
    editModules((m) => {
      delete m.register.min_password_length;
    });
    const r = await s.cli(['ctl', 'reload']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /register: applied enabled/);
    assert.match(r.stdout, /muc: nothing applied; restart needed for host/);
    assert.deepEqual(await registration(), { offered: true, get: 'result' });
    await sync(alice, 'localhost');
  });
});
