// The web admin over real HTTP: admins log in with XMPP credentials, manage users with CSRF
// tokens, kick sessions; non-admins and forged forms are refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';

class Browser {
  cookie = '';
  constructor(private readonly base: string) {}
  async req(path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }
  async csrf(path = '/admin/users'): Promise<string> {
    const body = await (await this.req(path)).text();
    const m = body.match(/name="csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${path}`);
    return m[1];
  }
}

describe('web admin', () => {
  let s: RunningServer;
  let base: string;

  before(async () => {
    s = await startServer({ config: { admins: ['root@localhost'] } });
    base = `http://127.0.0.1:${s.ports.http}`;
    await s.adduser('root', 'admin-pw');
    await s.adduser('mallory', 'mallory-pw');
  });
  after(async () => s?.stop());

  test('pages need a login; a non-admin and a wrong password are refused', async () => {
    const b = new Browser(base);
    const r = await b.req('/admin');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/admin/login');
    assert.equal((await b.req('/admin/login', { jid: 'mallory@localhost', password: 'mallory-pw' })).status, 403);
    assert.equal((await b.req('/admin/login', { jid: 'root@localhost', password: 'wrong' })).status, 403);
    assert.equal(b.cookie, '');
  });

  test('an admin adds a user who then logs in, sees the session and kicks it', async () => {
    const b = new Browser(base);
    const login = await b.req('/admin/login', { jid: 'root@localhost', password: 'admin-pw' });
    assert.equal(login.status, 303);
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const csrf = await b.csrf();
    const add = await b.req('/admin/users/add', { csrf, jid: 'zoe@localhost', password: 'zoe-pw' });
    assert.equal(add.status, 303);
    assert.match(decodeURIComponent(add.headers.get('location') ?? ''), /Created zoe@localhost/);
    assert.match(await (await b.req('/admin/users?q=zoe')).text(), /<td>zoe@localhost<\/td>/);

    // A hand-driven client (no stream management, no reconnect logic) so the kick is observed as is.
    const zoe = await RawXmpp.connect({ port: s.ports.c2s, domain: 'localhost' });
    try {
      await zoe.openStream();
      await zoe.startTls();
      await zoe.authPlain('zoe', 'zoe-pw');
      await zoe.bind();
      const stats = (await (await b.req('/admin/api/stats')).json()) as { sessions: number };
      assert.ok(stats.sessions >= 1);
      assert.match(await (await b.req('/admin/users?q=zoe')).text(), /1 online/);
      assert.equal((await b.req('/admin/users/kick', { csrf, jid: 'zoe@localhost' })).status, 303);
      await zoe.waitFor(/<policy-violation xmlns=["']urn:ietf:params:xml:ns:xmpp-streams["']/, 10_000);
      await zoe.waitClosed(10_000);
    } finally {
      zoe.destroy();
    }
  });

  test('a form without the session CSRF token, or from another origin, changes nothing', async () => {
    const b = new Browser(base);
    await b.req('/admin/login', { jid: 'root@localhost', password: 'admin-pw' });
    assert.equal((await b.req('/admin/users/add', { csrf: 'forged', jid: 'eve@localhost', password: 'x' })).status, 403);
    const csrf = await b.csrf();
    assert.equal((await b.req('/admin/users/add', { csrf, jid: 'eve@localhost', password: 'x' }, { origin: 'http://evil.example' })).status, 403);
    assert.doesNotMatch(await (await b.req('/admin/users?q=eve')).text(), /eve@localhost/);
  });
});
