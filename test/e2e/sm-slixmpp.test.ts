// XEP-0198 §5 with a second, independent implementation: slixmpp's xep_0198 plugin is cut off
// mid-conversation, reconnects from another address (127.0.0.2) and resumes; the messages sent
// meanwhile arrive once, in order, and both sides agree on what was acknowledged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { runSlixSm, type SlixSm } from '../helpers/slix-sm.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

describe('XEP-0198 resumption with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let alice: Client | undefined;
  let bob: SlixSm | undefined;

  before(async () => {
    server = await startServer({ config: { modules: { sm: { resume_timeout: 60 } } } });
    await Promise.all([server.adduser('alice', 'alice-secret'), server.adduser('bob', 'bob-secret')]);
  });
  after(async () => {
    await bob?.kill();
    if (alice) await disconnect(alice);
    await server?.stop();
  });

  test('cut off mid-conversation, resumed from 127.0.0.2: messages sent meanwhile arrive once, in order', async () => {
    const d = server.domain;
    alice = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', resource: 'desk' });
    bob = runSlixSm({ port: server.ports.c2s, jid: `bob@${d}/slix`, password: 'bob-secret' });
    const started = await bob.waitForEvent('session_start');
    const bobJid = String(started.jid);
    const enabled = await bob.waitForEvent('sm_enabled');
    assert.ok(enabled.id, bob.transcript());

    await send(alice, `<message to='${bobJid}' type='chat' id='before'><body>hello bob</body></message>`);
    await bob.waitForEvent('message', 10_000, (e) => e.id === 'before');

    bob.command('cut');
    await bob.waitForEvent('disconnected');
    await server.waitForLog(/"msg":"session hibernated"/, 10_000);

    const meanwhile = ['s1', 's2', 's3'];
    for (const id of meanwhile) await send(alice, `<message to='${bobJid}' type='chat' id='${id}'><body>${id}</body></message>`);
    await sync(alice, d);
    await expectNoStanza(alice, `<message type='error'/>`, 200);

    bob.command('reconnect 127.0.0.2');
    await bob.waitForEvent('session_resumed', 15_000);
    for (const id of meanwhile) await bob.waitForEvent('message', 10_000, (e) => e.id === id);
    const got = bob.events.filter((e) => e.event === 'message' && typeof e.id === 'string' && [...meanwhile, 'before'].includes(e.id)).map((e) => e.id);
    assert.deepEqual(got, ['before', ...meanwhile], `each message once, in order\n${bob.transcript()}`);
    assert.ok(!bob.events.some((e) => e.event === 'sm_failed' || (e.event === 'session_start' && e !== started)), bob.transcript());
    await server.waitForLog(/"ip":"127\.0\.0\.2".*"msg":"session resumed"/, 5000);

    // The conversation continues from bob's side on the resumed stream.
    bob.command(`send ${alice.jid} back back-again`);
    await expectStanza(alice, `<message id='back' from='${bobJid}'><body>back-again</body></message>`);

    // Ask the server for an ack: its <a/> must cover everything slixmpp sent, across the resumption.
    bob.command('r');
    const deadline = Date.now() + 5000;
    let state: Record<string, unknown> | undefined;
    while (Date.now() < deadline) {
      const seen = bob.events.length;
      bob.command('state');
      state = await bob.waitForEvent('state', 3000, (e) => bob!.events.indexOf(e) >= seen);
      if (state.unacked === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state?.unacked, 0, `the server acknowledged every stanza slixmpp sent\n${bob.transcript()}`);
    assert.equal(state?.seq, state?.last_ack, bob.transcript());
    bob.command('quit');
  });
});
