// XEP-0077 with slixmpp's own xep_0077 plugin as a second, independent client: it registers from
// the stream feature and then logs in with the new account (§3.1 bootstrap), changes its
// password (§3.3: other sessions get reset), and cancels its registration (§3.2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { runSlixScenario } from '../helpers/slix-scenario.ts';
import { connectXmppjs, disconnect, expectDisconnect, loginFailure } from '../helpers/xmppjs.ts';

describe('XEP-0077 with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } });
  });
  after(async () => {
    await server?.stop();
  });
  const port = () => server.ports.c2s;
  const jid = (u: string) => `${u}@${server.domain}`;

  test('registers in-band, then logs in with the new account; @xmpp/client logs in too', async () => {
    const slix = runSlixScenario({ scenario: 'register', port: port(), jid: jid('portia'), password: 'quality of mercy' });
    try {
      await slix.waitForEvent('registered');
      const started = await slix.waitForEvent('session_start');
      assert.match(String(started.jid), new RegExp(`^portia@${server.domain}/`), slix.transcript());
      assert.equal((await slix.exited).code, 0, slix.transcript());
    } finally {
      await slix.kill();
    }
    const c = await connectXmppjs({ port: port(), domain: server.domain, username: 'portia', password: 'quality of mercy', mechanism: 'PLAIN' });
    await disconnect(c);
  });

  test('a taken username: slixmpp gets conflict with code 409', async () => {
    const first = runSlixScenario({ scenario: 'register', port: port(), jid: jid('shylock'), password: 'pound of flesh' });
    try {
      assert.equal((await first.exited).code, 0, first.transcript());
    } finally {
      await first.kill();
    }
    const second = runSlixScenario({ scenario: 'register', port: port(), jid: jid('shylock'), password: 'another password' });
    try {
      const err = await second.waitForEvent('register_error');
      assert.equal(err.condition, 'conflict', second.transcript());
      assert.equal(err.code, '409', second.transcript());
    } finally {
      await second.kill();
    }
  });

  test('an empty password: slixmpp gets not-acceptable with code 406', async () => {
    const slix = runSlixScenario({ scenario: 'register', port: port(), jid: jid('nerissa'), password: '' });
    try {
      const err = await slix.waitForEvent('register_error');
      assert.deepEqual([err.condition, err.code], ['not-acceptable', '406'], slix.transcript());
    } finally {
      await slix.kill();
    }
  });

  test('change_password: the @xmpp/client session gets reset; the old password fails, the new one works', async () => {
    const setup = runSlixScenario({ scenario: 'register', port: port(), jid: jid('antonio'), password: 'merchant-one' });
    try {
      assert.equal((await setup.exited).code, 0, setup.transcript());
    } finally {
      await setup.kill();
    }
    const other = await connectXmppjs({ port: port(), domain: server.domain, username: 'antonio', password: 'merchant-one', mechanism: 'PLAIN' });
    const reset = expectDisconnect(other, 15_000);
    // slixmpp logs in with the old password, then changes it.
    const slix = runSlixScenario({ scenario: 'register', port: port(), jid: jid('antonio'), password: 'merchant-one', existing: true, changePassword: 'merchant-two' });
    try {
      await slix.waitForEvent('password_changed', 20_000);
      assert.equal(await reset, 'reset');
    } finally {
      await slix.kill();
      await disconnect(other);
    }
    assert.equal((await loginFailure({ port: port(), domain: server.domain, username: 'antonio', password: 'merchant-one', mechanism: 'PLAIN' })).condition, 'not-authorized');
    const c = await connectXmppjs({ port: port(), domain: server.domain, username: 'antonio', password: 'merchant-two', mechanism: 'PLAIN' });
    await disconnect(c);
  });

  test('cancel_registration: result, then the stream ends with not-authorized; the account is gone', async () => {
    const slix = runSlixScenario({ scenario: 'register', port: port(), jid: jid('bassanio'), password: 'three caskets', cancel: true });
    try {
      await slix.waitForEvent('cancelled');
      const ended = await slix.waitForEvent('stream_error');
      assert.equal(ended.condition, 'not-authorized', slix.transcript());
    } finally {
      await slix.kill();
    }
    assert.equal((await loginFailure({ port: port(), domain: server.domain, username: 'bassanio', password: 'three caskets', mechanism: 'PLAIN' })).condition, 'not-authorized');
  });
});
