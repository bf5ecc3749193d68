// `parley check` on Payment Required configuration (docs/payment.md): an invalid payto URI, a
// currency that is not ISO 4217 and a price no account can take are reported with their keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParley } from '../helpers/parley-cli.ts';

async function check(payment: string): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-paycheck-'));
  try {
    const file = join(dir, 'parley.toml');
    writeFileSync(file, `domains = ["localhost"]\ndata_dir = "${join(dir, 'data')}"\n\n[modules.payment]\n${payment}\n`);
    const r = await runParley(['check', '--no-dns', '--config', file]);
    return { code: r.code, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('parley check: payment accounts and prices are validated', async () => {
  const good = await check(`registration_price = { EUR = 500 }\naccounts = [{ label = "SEPA", uri = "payto://iban/DE89370400440532013000?receiver-name=Example" }]`);
  assert.equal(good.code, 0, good.out);

  const badIban = await check(`registration_price = { EUR = 500 }\naccounts = [{ label = "SEPA", uri = "payto://iban/DE89370400440532013001" }]`);
  assert.equal(badIban.code, 1);
  assert.match(badIban.out, /modules\.payment\.accounts\.0\.uri: "payto:\/\/iban\/DE89370400440532013001": "DE89370400440532013001" is not a valid IBAN/);

  const notPayto = await check(`registration_price = { EUR = 500 }\naccounts = [{ label = "SEPA", uri = "https://bank.example/pay" }]`);
  assert.match(notPayto.out, /modules\.payment\.accounts\.0\.uri: .*is not a payto URI/);

  const badCurrency = await check(`registration_price = { EURO = 500 }\naccounts = [{ label = "SEPA", uri = "payto://iban/DE89370400440532013000" }]`);
  assert.equal(badCurrency.code, 1);
  assert.match(badCurrency.out, /modules\.payment\.registration_price\.EURO: "EURO" is not an ISO 4217 currency code/);

  const unpayable = await check(`rooms = [{ room = "vip@conference.localhost", price = { USD = 300 } }]\naccounts = [{ label = "SEPA", uri = "payto://iban/DE89370400440532013000" }]`);
  assert.match(unpayable.out, /modules\.payment\.rooms\.0\.price: no account takes USD/);
});
