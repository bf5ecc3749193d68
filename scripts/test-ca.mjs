// Makes a throwaway certificate authority and a server certificate signed by it for the test
// run (federation tests with certificates that validate: SASL EXTERNAL, RFC 6125 checks).
// Nothing here is committed: each run gets a fresh CA in a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTestCa(names) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-test-ca-'));
  const f = (n) => join(dir, n);
  const ssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-keyout', f('ca.key'), '-out', f('ca.crt'),
    '-subj', '/CN=Parley Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${names[0]}`);
  writeFileSync(f('ext.cnf'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n`);
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f('server.crt'), '-extfile', f('ext.cnf'));
  return { dir, ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

/** A PEM bundle of several CA files, for NODE_EXTRA_CA_CERTS. */
export function bundle(dir, files) {
  const out = join(dir, 'bundle.pem');
  writeFileSync(out, files.map((p) => readFileSync(p, 'utf8').trim()).join('\n') + '\n');
  return out;
}
