// parley cert: generate (or with --force regenerate) the self-signed certificate, and show it.
import type { Config } from '../config/schema.ts';
import { certPaths, generateSelfSigned, loadTls } from '../net/certs.ts';

export async function cmdCert(config: Config, force: boolean): Promise<number> {
  const paths = certPaths(config);
  if (paths.generated) await generateSelfSigned(config, force);
  else if (force) {
    process.stderr.write('error: tls.certificate/tls.key are configured; Parley does not overwrite them\n');
    return 1;
  }
  const tls = await loadTls(config);
  process.stdout.write(`certificate: ${tls.paths.cert}\nkey: ${tls.paths.key}\nnames: ${tls.names}\nvalid until: ${tls.validTo}\nsha256: ${tls.fingerprint256}\n`);
  return 0;
}
