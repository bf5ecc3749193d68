// Probes the external services and programs the test suite uses, so skips are explicit.
import { connect } from 'node:net';
import { existsSync } from 'node:fs';

function tcp(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (ok, reason) => { s.destroy(); resolve({ ok, reason }); };
    s.setTimeout(timeoutMs, () => done(false, `no answer on ${host}:${port}`));
    s.on('connect', () => done(true, 'up'));
    s.on('error', (e) => done(false, `${host}:${port} ${e.code ?? e.message}`));
  });
}

function program(path, pkg) {
  return existsSync(path) ? { ok: true, reason: 'installed' } : { ok: false, reason: `${path} not found (Debian package ${pkg})` };
}

export async function probeServices() {
  const [postgres, redis] = await Promise.all([tcp(5432), tcp(6379)]);
  return {
    postgres,
    redis,
    // slixmpp's XEP-0363 plugin needs aiohttp, which python3-slixmpp only recommends.
    slixmpp: !existsSync('/usr/lib/python3/dist-packages/slixmpp')
      ? { ok: false, reason: 'python3-slixmpp not installed' }
      : !existsSync('/usr/lib/python3/dist-packages/aiohttp')
        ? { ok: false, reason: 'python3-aiohttp not installed (slixmpp recommends it; its upload plugin needs it)' }
        : { ok: true, reason: 'installed' },
    // The interop tests point Prosody's resolver at a hosts file: that is lua-unbound's option
    // (prosody only recommends it; without it s2s to the test domains times out).
    prosody: !existsSync('/usr/bin/prosody')
      ? program('/usr/bin/prosody', 'prosody')
      : !existsSync('/usr/lib/x86_64-linux-gnu/lua/5.4/lunbound.so') && !existsSync('/usr/lib/aarch64-linux-gnu/lua/5.4/lunbound.so')
        ? { ok: false, reason: 'lua-unbound not installed (prosody recommends it; the interop tests need its hosts-file resolver)' }
        : { ok: true, reason: 'installed' },
    clamd: program('/usr/sbin/clamd', 'clamav-daemon'),
    chromium: program('/usr/bin/chromium', 'chromium'),
  };
}
