// Registration rules without a server: the credential policy (docs/registration.md), sliding-window
// rate limits with their IPv6 /64 keys, and what a jabber:iq:register set asks for (XEP-0077 §3, §6).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { makePolicy, passwordProblem, usernameProblem } from '../../../src/modules/register/policy.ts';
import { addressKey, SlidingWindowLimiter } from '../../../src/modules/register/rate-limit.ts';
import { parseRegisterSet } from '../../../src/modules/register/request.ts';
import { registerErrorIq, RegisterError } from '../../../src/modules/register/errors.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { xml } from '../../../src/xml/element.ts';

describe('credential policy', () => {
  const p = makePolicy({ min_password_length: 8, denied_passwords: ['Password1'], reserved_usernames: ['Admin'] });
  test('passwords: empty, short, denied (any case), equal to the username are refused; others pass', () => {
    assert.match(passwordProblem('', 'ann', p)!, /empty/);
    assert.match(passwordProblem('seven77', 'ann', p)!, /8/);
    assert.match(passwordProblem('PASSWORD1', 'ann', p)!, /common/);
    assert.match(passwordProblem('annabelle', 'AnnaBelle', p)!, /differ/);
    assert.equal(passwordProblem('correct horse', 'ann', p), null);
  });
  test('length counts characters, not UTF-16 units', () => {
    assert.equal(passwordProblem('😀😀😀😀😀😀😀😀', 'ann', p), null);
    assert.notEqual(passwordProblem('😀😀😀😀', 'ann', p), null, '4 emoji are 8 UTF-16 units but 4 characters');
  });
  test('reserved usernames', () => {
    assert.match(usernameProblem('admin', p)!, /reserved/);
    assert.equal(usernameProblem('anne', p), null);
  });
});

describe('sliding-window limiter', () => {
  test('allows up to max per window, then refuses until the oldest hit ages out', () => {
    let now = 0;
    const l = new SlidingWindowLimiter([{ ms: 1000, max: 2 }, { ms: 10_000, max: 3 }], () => now);
    for (let i = 0; i < 2; i++) {
      assert.equal(l.allows('a'), true);
      l.hit('a');
      now += 100;
    }
    assert.equal(l.allows('a'), false, 'third within a second');
    assert.equal(l.allows('b'), true, 'other keys are separate');
    now = 1001;
    assert.equal(l.allows('a'), true, 'the first hit left the short window');
    l.hit('a');
    now = 5000;
    assert.equal(l.allows('a'), false, 'three in ten seconds');
    now = 10_001;
    assert.equal(l.allows('a'), true);
  });
  test('addressKey: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
  });
});

describe('parseRegisterSet', () => {
  const q = (inner: string) => parseXml(`<iq><query xmlns='jabber:iq:register'>${inner}</query></iq>`).getChildElements()[0];
  test('remove, alone or not (§3.2)', () => {
    assert.deepEqual(parseRegisterSet(q('<remove/>')), { kind: 'remove', alone: true });
    assert.deepEqual(parseRegisterSet(q('<remove/><username>a</username>')), { kind: 'remove', alone: false });
  });
  test('legacy fields, and empty ones kept as empty strings', () => {
    assert.deepEqual(parseRegisterSet(q('<username>a</username><password/>')), { kind: 'legacy', username: 'a', password: '', email: undefined });
    assert.deepEqual(parseRegisterSet(q('')), { kind: 'empty' });
  });
  test('§6: a data form wins over legacy fields', () => {
    const r = parseRegisterSet(q(`<username>legacy</username><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>jabber:iq:register</value></field><field var='username'><value>form</value></field></x>`));
    assert.equal(r.kind, 'form');
    assert.equal(r.kind === 'form' && r.formType, 'jabber:iq:register');
  });
});

describe('register error replies', () => {
  const request = parseXml(`<iq type='set' id='r1' to='example.org' from='ann@example.org/a'><query xmlns='jabber:iq:register'><password>secret-pw</password></query></iq>`);
  test('carry the legacy code and never the request payload', () => {
    const reply = registerErrorIq(request, new StanzaError('conflict'));
    assert.equal(reply.toString(), '<iq type="error" id="r1" from="example.org" to="ann@example.org/a"><error type="cancel" code="409"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>');
  });
  test('§3.3 decision: the form goes inside <error/>, and beside it only in legacy mode', () => {
    const form = xml('query', { xmlns: 'jabber:iq:register' }, xml('x', { xmlns: 'jabber:x:data', type: 'form' }));
    const err = new RegisterError('not-authorized', 'Old password required', 'auth', form);
    const strict = registerErrorIq(request, err);
    assert.deepEqual(strict.getChildElements().map((c) => c.name), ['error']);
    assert.ok(strict.getChild('error')!.getChild('query', 'jabber:iq:register')?.getChild('x', 'jabber:x:data'));
    const legacy = registerErrorIq(request, err, true);
    assert.deepEqual(legacy.getChildElements().map((c) => c.name), ['query', 'error']);
    assert.equal(legacy.getChild('error')!.attrs.code, '401');
  });
});
