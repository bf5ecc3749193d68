// The committed test certificate (CN and SAN "localhost"), used by all three servers so the TLS
// work per connection is the same key type and size everywhere.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
export const CERT = resolve(root, 'test/fixtures/tls/localhost.crt');
export const KEY = resolve(root, 'test/fixtures/tls/localhost.key');
