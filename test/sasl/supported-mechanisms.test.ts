// Which mechanisms are offered, in preference order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supportedMechanisms } from '../../src/sasl/index.ts';

test('TLS with channel binding: -PLUS first, strongest hash first, PLAIN last', () => {
  assert.deepEqual(supportedMechanisms({ tls: true, channelBindings: ['tls-exporter'], allowPlain: true, hashes: ['SHA-1', 'SHA-256', 'SHA-512'] }), [
    'SCRAM-SHA-512-PLUS',
    'SCRAM-SHA-256-PLUS',
    'SCRAM-SHA-1-PLUS',
    'SCRAM-SHA-512',
    'SCRAM-SHA-256',
    'SCRAM-SHA-1',
    'PLAIN',
  ]);
});

test('only configured hashes are offered', () => {
  assert.deepEqual(supportedMechanisms({ tls: true, channelBindings: ['tls-server-end-point'], allowPlain: false, hashes: ['SHA-256', 'SHA-1'] }), [
    'SCRAM-SHA-256-PLUS',
    'SCRAM-SHA-1-PLUS',
    'SCRAM-SHA-256',
    'SCRAM-SHA-1',
  ]);
});

test('no channel-binding type: no -PLUS', () => {
  assert.deepEqual(supportedMechanisms({ tls: true, channelBindings: [], allowPlain: true, hashes: ['SHA-1', 'SHA-256'] }), ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
});

test('without TLS: neither -PLUS nor PLAIN (RFC 6120 §6.4.1)', () => {
  assert.deepEqual(supportedMechanisms({ tls: false, channelBindings: ['tls-exporter'], allowPlain: true, hashes: ['SHA-256'] }), ['SCRAM-SHA-256']);
});
