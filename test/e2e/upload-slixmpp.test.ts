// Interop: slixmpp's own XEP-0363 plugin (disco of the upload service, max-file-size, slot, PUT
// with aiohttp) uploads to Parley; the GET URL it got returns the same bytes to anyone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { slixUpload } from '../helpers/slix-upload.ts';
import { httpReq } from '../helpers/https-request.ts';

describe('XEP-0363 with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'parley-slix-upload-'));

  before(async () => {
    server = await startServer({ config: { modules: { upload: { max_file_size: 100_000 } } } });
    await server.adduser('alice', 'pw-a');
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('upload_file finds the service, uploads, and the URL serves identical bytes', async () => {
    const bytes = randomBytes(40_000);
    const file = join(dir, 'holiday photo.jpg');
    writeFileSync(file, bytes);
    const r = await slixUpload({ port: server.ports.c2s, jid: 'alice@localhost', password: 'pw-a', file, contentType: 'image/jpeg' });
    const up = r.events.find((e) => e.event === 'uploaded');
    assert.ok(up, `no upload: ${JSON.stringify(r.events)} ${r.stderr}`);
    assert.equal(up.service, 'upload.localhost');
    const url = String(up.url);
    assert.match(url, /\/holiday%20photo\.jpg$/);
    const got = await httpReq(url);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(bytes));
    assert.equal(got.headers['content-type'], 'image/jpeg');
  });

  test('a file over max-file-size is refused by the plugin from the disco limit', async () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(100_001));
    const r = await slixUpload({ port: server.ports.c2s, jid: 'alice@localhost', password: 'pw-a', file });
    const err = r.events.find((e) => e.event === 'upload_error');
    assert.equal(err?.kind, 'FileTooBig', JSON.stringify(r.events));
  });
});
