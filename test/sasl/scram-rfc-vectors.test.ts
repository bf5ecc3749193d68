// The SCRAM test vectors of RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256), byte for byte,
// with the server nonce injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMechanism, deriveScramCredentials, type SaslContext, type ScramHash } from '../../src/sasl/index.ts';

const vectors: { rfc: string; hash: ScramHash; salt: string; serverNonce: string; transcript: [string, string, string, string] }[] = [
  {
    rfc: 'RFC 5802 §5',
    hash: 'SHA-1',
    salt: 'QSXCR+Q6sek8bf92',
    serverNonce: '3rfcNHYJY1ZVvWVs7j',
    transcript: [
      'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
      'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
      'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
      'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
    ],
  },
  {
    rfc: 'RFC 7677 §3',
    hash: 'SHA-256',
    salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
    serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    transcript: [
      'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    ],
  },
];

for (const v of vectors) {
  test(`${v.rfc}: SCRAM-${v.hash} exchange for user/pencil matches the RFC transcript`, async () => {
    const creds = await deriveScramCredentials('pencil', v.hash, 4096, Buffer.from(v.salt, 'base64'));
    const ctx: SaslContext = {
      getScramCredentials: async (u, h) => (u === 'user' && h === v.hash ? creds : null),
      verifyPassword: async () => false,
      getChannelBinding: () => null,
      offeredMechanisms: [`SCRAM-${v.hash}`],
      offeredChannelBindings: [],
    };
    const mech = createMechanism(`SCRAM-${v.hash}`, ctx, { serverNonce: () => v.serverNonce });
    assert.ok(mech);
    const [clientFirst, serverFirst, clientFinal, serverFinal] = v.transcript;

    const s1 = await mech.step(Buffer.from(clientFirst));
    assert.equal(s1.kind, 'challenge');
    assert.equal(s1.kind === 'challenge' && s1.data.toString(), serverFirst);

    const s2 = await mech.step(Buffer.from(clientFinal));
    assert.deepEqual(s2, { kind: 'success', data: Buffer.from(serverFinal), username: 'user' });
  });
}
