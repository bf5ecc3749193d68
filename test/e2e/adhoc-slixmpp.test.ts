// XEP-0050 / XEP-0133 with slixmpp's xep_0050 plugin as the admin client: it lists the server's
// commands, runs add-user with a filled-in form, and the new account logs in; a non-admin sees no
// commands and is refused with forbidden.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { registerInBand } from '../helpers/raw-iq.ts';
import { runSlixScenario } from '../helpers/slix-scenario.ts';
import { connectXmppjs, disconnect, loginFailure } from '../helpers/xmppjs.ts';

const ADMIN = 'http://jabber.org/protocol/admin';

describe('XEP-0050 / XEP-0133 with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let d: string;
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { admins: ['boss@localhost'], modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } });
    d = server.domain;
    await Promise.all(['boss', 'mallory'].map((u) => registerInBand(server, u, `${u}-password`)));
  });
  after(async () => {
    await server?.stop();
  });

  test('an admin lists the commands and runs add-user; the new account logs in', async () => {
    const slix = runSlixScenario({
      scenario: 'adhoc', port: server.ports.c2s, jid: `boss@${d}`, password: 'boss-password',
      command: `${ADMIN}#add-user`, fields: { FORM_TYPE: ADMIN, accountjid: `fromslix@${d}`, password: 'slix-made-it', 'password-verify': 'slix-made-it' },
    });
    try {
      const commands = await slix.waitForEvent('commands');
      assert.ok((commands.nodes as string[]).includes(`${ADMIN}#add-user`), slix.transcript());
      const form = await slix.waitForEvent('form');
      assert.equal(form.status, 'executing', slix.transcript());
      assert.ok((form.fields as string[]).includes('accountjid'), slix.transcript());
      const done = await slix.waitForEvent('command_done');
      assert.equal(done.status, 'completed', slix.transcript());
      assert.equal((await slix.exited).code, 0, slix.transcript());
    } finally {
      await slix.kill();
    }
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'fromslix', password: 'slix-made-it', mechanism: 'PLAIN' });
    await disconnect(c);
  });

  test('a non-admin sees no commands and gets forbidden', async () => {
    const slix = runSlixScenario({
      scenario: 'adhoc', port: server.ports.c2s, jid: `mallory@${d}`, password: 'mallory-password',
      command: `${ADMIN}#add-user`, fields: { accountjid: `sneaky@${d}`, password: 'sneaky-pass' },
    });
    try {
      const commands = await slix.waitForEvent('commands');
      assert.deepEqual(commands.nodes, [], slix.transcript());
      const err = await slix.waitForEvent('command_error');
      assert.equal(err.condition, 'forbidden', slix.transcript());
    } finally {
      await slix.kill();
    }
    assert.equal((await loginFailure({ port: server.ports.c2s, domain: d, username: 'sneaky', password: 'sneaky-pass', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });
});
