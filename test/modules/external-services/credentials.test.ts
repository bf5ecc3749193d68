// XEP-0215 service elements and TURN REST credentials (draft-uberti-behave-turn-rest-00 §2.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { turnCredentials } from '../../../src/modules/external-services/credentials.ts';
import { matching, serviceElement, type ExternalService } from '../../../src/modules/external-services/services.ts';

test('TURN REST credentials: username is expiry:user, password is base64 HMAC-SHA1 of it under the secret', () => {
  const c = turnCredentials('shared-secret-0123456789', 'ann@example.org', 3600, Date.UTC(2024, 0, 1, 0, 0, 0));
  const expiry = Date.UTC(2024, 0, 1, 1, 0, 0) / 1000;
  assert.equal(c.username, `${expiry}:ann@example.org`);
  assert.equal(c.password, createHmac('sha1', 'shared-secret-0123456789').update(c.username).digest('base64'));
  assert.equal(c.expires, '2024-01-01T01:00:00Z', 'XEP-0082 dateTime in UTC');
});

test('service elements: attributes per XEP-0215 §3, restricted when credentials are involved', () => {
  const turn: ExternalService = { type: 'turn', host: 'turn.example.org', port: 3478, transport: 'udp', secret: 'shared-secret-0123456789', ttl: 600 };
  const stun: ExternalService = { type: 'stun', host: 'stun.example.org', port: 3478, ttl: 600 };
  const t = serviceElement(turn, 'ann@example.org', true, 0);
  assert.deepEqual(Object.keys(t.attrs).sort(), ['expires', 'host', 'password', 'port', 'restricted', 'transport', 'type', 'username']);
  assert.equal(t.attrs.restricted, '1');
  assert.equal(serviceElement(turn, 'ann@example.org', false).attrs.password, undefined);
  assert.equal(serviceElement(stun, 'ann@example.org', true).toString(), '<service type="stun" host="stun.example.org" port="3478"/>');
  assert.deepEqual(matching([turn, stun], 'turn.example.org', 'turn', undefined), [turn]);
  assert.deepEqual(matching([turn, stun], 'turn.example.org', 'turn', '5349'), []);
});
