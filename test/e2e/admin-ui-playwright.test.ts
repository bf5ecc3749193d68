// The web admin in a real browser (playwright-core driving Debian's headless chromium): an admin
// logs in, adds a user, finds them in the list, sees their XMPP session on the dashboard and kicks
// it, destroys a room and deletes an upload; a non-admin is refused; no page logs a console error.
// Screenshots of the dashboard and the users page go to docs/screenshots/ (linked from docs/admin.md).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { repoRoot } from '../helpers/parley-cli.ts';
import { skipUnless } from '../helpers/services.ts';
import { connectXmppjs, disconnect } from '../helpers/xmppjs.ts';
import { putFile, requestSlot } from '../helpers/upload.ts';
import { httpReq } from '../helpers/https-request.ts';
import { randomBytes } from 'node:crypto';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = join(repoRoot, 'docs/screenshots');

async function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 760 },
  });
}

/** Every console error and uncaught page exception, to assert none happened. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

async function logIn(page: Page, base: string, jid: string, password: string): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name="jid"]', jid);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Log in")')]);
}

describe('web admin in chromium', { skip: skipUnless('chromium') }, () => {
  let s: RunningServer;
  let base: string;
  let profile: string;
  let browser: BrowserContext;

  before(async () => {
    s = await startServer({ config: { admins: ['root@localhost'] } });
    base = `http://127.0.0.1:${s.ports.http}`;
    await s.adduser('root', 'admin-pw');
    await s.adduser('mallory', 'mallory-pw');
    profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
    browser = await launch(profile);
  });
  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await s?.stop();
  });

  test('a non-admin cannot log in', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await logIn(page, base, 'mallory@localhost', 'mallory-pw');
    assert.match(page.url(), /\/admin\/login$/);
    assert.match(await page.textContent('.msg.err') ?? '', /not an admin/);
    assert.equal((await browser.cookies(base)).filter((c) => c.name === 'parley_admin' && c.value).length, 0);
    await page.goto(`${base}/admin/users`);
    assert.match(page.url(), /\/admin\/login$/, 'the users page sends an anonymous visitor to the login');
    // The 403 of the refused login is the only resource error the browser may report.
    assert.deepEqual(errors.filter((e) => !/status of 403/.test(e)), []);
    await page.close();
  });

  test('an admin adds a user, sees them online on the dashboard and kicks the session', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await logIn(page, base, 'root@localhost', 'admin-pw');
    assert.equal(new URL(page.url()).pathname, '/admin');
    assert.equal(await page.textContent('h1'), 'Dashboard');

    await page.click('header a:has-text("users")');
    await page.fill('input[name="jid"][placeholder^="user@"]', 'zoe@localhost');
    await page.fill('form[action="/admin/users/add"] input[name="password"]', 'zoe-pw');
    await Promise.all([page.waitForURL(/flash=/), page.click('form[action="/admin/users/add"] button')]);
    assert.match(await page.textContent('.msg') ?? '', /Created zoe@localhost/);
    assert.ok(await page.isVisible('td:text-is("zoe@localhost")'), 'the new account is listed');
    await page.fill('input[name="q"]', 'zo');
    await Promise.all([page.waitForURL(/q=zo/), page.click('button:has-text("search")')]);
    assert.deepEqual(await page.$$eval('table td:first-child', (tds) => tds.map((t) => t.textContent)), ['zoe@localhost']);

    const zoe = await RawXmpp.login({ port: s.ports.c2s, domain: 'localhost', username: 'zoe', password: 'zoe-pw', bind: true, resource: 'phone' });
    try {
      await page.goto(`${base}/admin`);
      const row = page.locator('#session-list tr', { hasText: 'zoe@localhost/phone' });
      assert.equal(await row.count(), 1, 'the session is on the dashboard');
      assert.match(await row.textContent() ?? '', /127\.0\.0\.1/);
      // The live chart polls the stats endpoint; the sessions card shows at least this one.
      await page.waitForFunction(() => Number(document.getElementById('sessions')?.textContent) >= 1);
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });

      await Promise.all([page.waitForURL(/flash=/), row.locator('button:has-text("kick")').click()]);
      assert.match(await page.textContent('.msg') ?? '', /Closed 1 session\(s\) of zoe@localhost\/phone/);
      await zoe.waitFor(/<policy-violation xmlns=["']urn:ietf:params:xml:ns:xmpp-streams["']/, 10_000);
      await zoe.waitClosed(10_000);
      await page.goto(`${base}/admin`);
      assert.equal(await page.locator('#session-list tr', { hasText: 'zoe@localhost' }).count(), 0, 'the kicked session is gone');
    } finally {
      zoe.destroy();
    }

    await page.goto(`${base}/admin/users`);
    await page.screenshot({ path: join(screenshots, 'users.png'), fullPage: true });
    for (const p of ['federation', 'config', 'logs', 'rooms', 'files']) {
      const r = await page.goto(`${base}/admin/${p}`);
      assert.equal(r?.status(), 200, `/admin/${p}`);
    }
    assert.deepEqual(errors, [], 'no console errors on any page');
    for (const f of ['dashboard.png', 'users.png']) assert.ok(statSync(join(screenshots, f)).size > 5000, `${f} written`);
    await page.close();
  });

  test('an admin sees a room with its occupant and destroys it', async () => {
    await s.adduser('carol', 'carol-pw');
    const carol = await RawXmpp.login({ port: s.ports.c2s, domain: 'localhost', username: 'carol', password: 'carol-pw', bind: true, resource: 'desk' });
    const page = await browser.newPage();
    const errors = watchErrors(page);
    try {
      carol.write(`<presence to='tea@conference.localhost/carol'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
      await carol.waitFor(/<status code=["']110["']/);
      await logIn(page, base, 'root@localhost', 'admin-pw');
      await page.click('header a:has-text("rooms")');
      const row = page.locator('#rooms tr', { hasText: 'tea@conference.localhost' });
      assert.equal(await row.count(), 1);
      assert.match(await row.textContent() ?? '', /temporary, public, locked/);
      await Promise.all([page.waitForURL(/room=/), row.locator('a').click()]);
      assert.deepEqual(await page.$$eval('#occupants td', (tds) => tds.map((t) => t.textContent)), ['carol', 'carol@localhost', 'moderator', 'owner', '1']);
      await page.click('header a:has-text("rooms")');
      await Promise.all([page.waitForURL(/flash=/), row.locator('button:has-text("destroy")').click()]);
      assert.match(await page.textContent('.msg') ?? '', /Destroyed tea@conference.localhost/);
      await carol.waitFor(/<destroy[^>]*>\s*<reason>Destroyed by root@localhost<\/reason>/);
      assert.equal(await page.locator('#rooms tr', { hasText: 'tea@conference.localhost' }).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      carol.destroy();
      await page.close();
    }
  });

  test('an admin finds an upload on the files page and deletes it; its URL then answers 404', async () => {
    await s.adduser('dora', 'dora-pw');
    const dora = await connectXmppjs({ port: s.ports.c2s, domain: 'localhost', username: 'dora', password: 'dora-pw' });
    const page = await browser.newPage();
    const errors = watchErrors(page);
    try {
      const bytes = randomBytes(3000);
      const slot = await requestSlot(dora, 'upload.localhost', { name: 'holiday.bin', size: bytes.length, type: 'application/octet-stream' });
      assert.equal((await putFile(slot, bytes, 'application/octet-stream')).status, 201);
      assert.equal((await httpReq(slot.get)).status, 200);
      await logIn(page, base, 'root@localhost', 'admin-pw');
      await page.click('header a:has-text("files")');
      await page.fill('input[name="owner"]', 'dora@localhost');
      await Promise.all([page.waitForURL(/owner=/), page.click('button:has-text("show uploads")')]);
      const row = page.locator('#uploads tr', { hasText: 'holiday.bin' });
      assert.match(await row.textContent() ?? '', /2\.9 KiB\s*application\/octet-stream/);
      await Promise.all([page.waitForURL(/flash=/), row.locator('button:has-text("delete")').click()]);
      assert.match(await page.textContent('.msg') ?? '', /Upload deleted/);
      assert.match(await page.textContent('#uploads') ?? '', /no uploads/);
      assert.equal((await httpReq(slot.get)).status, 404);
      assert.deepEqual(errors, []);
    } finally {
      await disconnect(dora);
      await page.close();
    }
  });
});
