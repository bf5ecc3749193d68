// XEP-0158 on room entry (docs/payment.md): joining a room in captcha_rooms is refused with
// not-authorized and the server's domain sends a challenge message (FORM_TYPE urn:xmpp:captcha,
// from = the room, an arithmetic question); a wrong answer is not-acceptable and spends the
// challenge; the right answer to a new one lets the user join; the room owner is never challenged.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';
import { createInstantRoom, join, joinError } from '../helpers/muc.ts';

const CAPTCHA = 'urn:xmpp:captcha';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const room = 'quiet@conference.localhost';

const fieldValue = (x: Element, v: string) => x.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value') ?? undefined;

/** Join (refused), take the challenge message that arrives; return its form. */
async function challenged(c: Client): Promise<Element> {
  const message = expectStanza(c, (s) => s.name === 'message' && !!s.getChild('captcha', CAPTCHA));
  assert.equal(await joinError(c, room, 'Nick'), 'not-authorized');
  const m = await message;
  assert.equal(m.attrs.from, 'localhost');
  return m.getChild('captcha', CAPTCHA)!.getChild('x', 'jabber:x:data')!;
}

function solve(x: Element): string {
  const label = x.getChildren('field').find((f) => f.attrs.var === 'qa')!.attrs.label;
  const m = /What is (\w+) plus (\w+)\?/.exec(label)!;
  return String(WORDS.indexOf(m[1]) + WORDS.indexOf(m[2]));
}

async function answer(c: Client, x: Element, qa: string): Promise<Element> {
  const id = nextId('cap');
  const hidden = ['challenge', 'sid', 'from'].map((v) => `<field var="${v}"><value>${fieldValue(x, v)}</value></field>`).join('');
  await send(c, `<iq type="set" id="${id}" to="localhost"><captcha xmlns="${CAPTCHA}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>${CAPTCHA}</value></field>${hidden}<field var="qa"><value>${qa}</value></field></x></captcha></iq>`);
  return expectStanza(c, (s) => s.name === 'iq' && s.attrs.id === id);
}

describe('XEP-0158 CAPTCHA on room entry', () => {
  let server: RunningServer;
  let open: Client[] = [];
  const login = async (u: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: u, password: `${u}-password`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { payment: { captcha_rooms: [room] } } } });
    for (const u of ['owner', 'ann']) await server.adduser(u, `${u}-password`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('challenge on join; a wrong answer fails; the right one admits', async () => {
    const owner = await login('owner');
    await createInstantRoom(owner, room, 'Owner');
    const ann = await login('ann');
    const x = await challenged(ann);
    assert.equal(fieldValue(x, 'FORM_TYPE'), CAPTCHA);
    assert.equal(fieldValue(x, 'from'), room);
    const wrong = await answer(ann, x, String(Number(solve(x)) + 1));
    assert.equal(wrong.getChild('error')?.getChildren('not-acceptable', STANZAS).length, 1, wrong.toString());
    // Spent: the right answer to the same challenge is refused too.
    assert.equal((await answer(ann, x, solve(x))).attrs.type, 'error');
    assert.equal(await joinError(ann, room, 'Nick'), 'not-authorized', 'still not admitted');
    const y = await challenged(ann);
    const right = await answer(ann, y, solve(y));
    assert.equal(right.attrs.type, 'result', right.toString());
    assert.ok((await join(ann, room, 'Nick')).self);
  });
});
