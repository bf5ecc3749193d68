// The participant list (gc3-participants.md) on the room model, without sockets: order, filters,
// count, cursors both ways, pinned ranks under affiliation changes, privacy, and a randomized walk
// under random joins, leaves and affiliation changes that must return every stable entry exactly
// once, in its walk order. The e2e file drives the same over real clients.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid } from '../../../src/jid/index.ts';
import { newRoomSecret } from '../../../src/modules/muc/occupant-id.ts';
import { participantsGet } from '../../../src/modules/muc/participants.ts';
import { Room } from '../../../src/modules/muc/room.ts';
import { defaultConfig, type Affiliation } from '../../../src/modules/muc/types.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { xml, type Element } from '../../../src/xml/element.ts';

const NS = 'urn:xmpp:muc:participants:0';
const RSM = 'http://jabber.org/protocol/rsm';

function newRoom(): Room {
  return new Room({ jid: parseJid('tea@rooms.example'), config: defaultConfig({ maxUsers: 100, maxHistoryFetch: 20 }), secret: newRoomSecret(), createdSeq: 1 });
}
const join = (room: Room, user: string, nick = user, role: 'moderator' | 'participant' | 'visitor' = 'participant') =>
  room.addSession(parseJid(`${user}@example`), parseJid(`${user}@example/r`), nick, role, xml('presence'));
const leave = (room: Room, user: string) => room.removeSession(`${user}@example/r`);

interface Q {
  max?: number;
  after?: string;
  before?: string;
  index?: number;
  filter?: Record<string, string>;
}
function query(q: Q = {}): Element {
  const set = xml('set', { xmlns: RSM },
    q.max !== undefined ? xml('max', {}, String(q.max)) : undefined,
    q.after !== undefined ? xml('after', {}, q.after) : undefined,
    q.before !== undefined ? xml('before', {}, q.before) : undefined,
    q.index !== undefined ? xml('index', {}, String(q.index)) : undefined);
  return xml('participants', { xmlns: NS }, q.filter ? xml('filter', q.filter) : undefined, set);
}
function fetch(room: Room, who: string, q: Q = {}) {
  const res = participantsGet(room, parseJid(`${who}@example/r`), query(q));
  const set = res.getChild('set', RSM)!;
  return {
    ver: res.attrs.ver,
    items: res.getChildren('participant').map((p) => p.attrs),
    first: set.getChildText('first'),
    firstIndex: set.getChild('first')?.attrs.index,
    last: set.getChildText('last'),
    count: Number(set.getChildText('count')),
  };
}
const condition = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
  return 'none';
};
const nickOf = (room: Room) => (a: Record<string, string>) => a.nick;

function seeded(): Room {
  const room = newRoom();
  room.setAffiliation('a@example', 'owner', 'A');
  for (let i = 1; i <= 7; i++) room.setAffiliation(`m${i}@example`, 'member', `M${i}`);
  room.setAffiliation('b@example', 'member', 'B');
  join(room, 'a', 'A', 'moderator');
  join(room, 'b', 'B');
  join(room, 'c', 'C');
  return room;
}

test('check 1: walk with max=3 gives the owner, members by creation, then C; count and ver steady', () => {
  const room = seeded();
  const seen: string[] = [];
  let page = fetch(room, 'b', { max: 3 });
  assert.equal(page.count, 10);
  assert.equal(page.firstIndex, '0');
  const ver = page.ver;
  for (let i = 0; i < 10 && page.items.length; i++) {
    seen.push(...page.items.map(nickOf(room)));
    assert.equal(page.ver, ver);
    assert.equal(page.count, 10);
    page = fetch(room, 'b', { max: 3, after: page.last! });
  }
  assert.deepEqual(seen, ['A', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'B', 'C']);
  // check 3: backwards from an empty <before/> is the exact reverse.
  const back: string[] = [];
  page = fetch(room, 'b', { max: 3, before: '' });
  assert.equal(page.firstIndex, '7');
  for (let i = 0; i < 10 && page.items.length; i++) {
    back.unshift(...page.items.map(nickOf(room)));
    page = fetch(room, 'b', { max: 3, before: page.first! });
  }
  assert.deepEqual(back, seen);
  // max=0: count only.
  const countOnly = fetch(room, 'b', { max: 0 });
  assert.deepEqual([countOnly.items.length, countOnly.count, countOnly.first], [0, 10, undefined]);
});

test('check 2: a member promoted mid-walk keeps its member position; a leaver is gone; ver changes', () => {
  const room = seeded();
  const p1 = fetch(room, 'b', { max: 2 });
  assert.deepEqual(p1.items.map((a) => a.nick), ['A', 'M1']);
  leave(room, 'c');
  join(room, 'd', 'D');
  room.setAffiliation('m5@example', 'admin');
  const seen = [...p1.items];
  let page = p1;
  for (let i = 0; i < 10; i++) {
    page = fetch(room, 'b', { max: 2, after: page.last! });
    if (!page.items.length) break;
    seen.push(...page.items);
  }
  assert.deepEqual(seen.map((a) => a.nick), ['A', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'B', 'D']);
  assert.equal(seen.find((a) => a.nick === 'M5')!.affiliation, 'admin');
  assert.notEqual(page.ver, p1.ver);
  // A fresh walk shows the promotion in its new place.
  assert.deepEqual(fetch(room, 'b', { max: 3 }).items.map((a) => a.nick), ['A', 'M5', 'M1']);
});

test('check 4/5/7: privacy per anonymity, filters, outcasts for admins only', () => {
  const room = seeded();
  room.setAffiliation('bad@example', 'outcast');
  const all = (who: string, q: Q = {}) => fetch(room, who, { max: 250, ...q }).items;
  assert.ok(all('c').every((a) => a.jid === undefined));
  assert.ok(all('b').every((a) => a.jid === undefined));
  assert.ok(all('a').every((a) => a.jid !== undefined));
  room.config.whois = 'anyone';
  assert.ok(all('c').every((a) => a.jid !== undefined && !a.jid.includes('/')));
  room.config.whois = 'moderators';
  assert.deepEqual(all('b', { filter: { state: 'online' } }).map((a) => a.nick), ['A', 'B', 'C']);
  assert.deepEqual(all('b', { filter: { state: 'absent', affiliation: 'member' } }).length, 7);
  const visitors = fetch(room, 'b', { filter: { role: 'visitor' } });
  assert.deepEqual([visitors.items.length, visitors.count], [0, 0]);
  assert.equal(condition(() => fetch(room, 'c', { filter: { affiliation: 'outcast' } })), 'forbidden');
  assert.deepEqual(all('a', { filter: { affiliation: 'outcast' } }).map((a) => a.jid), ['bad@example']);
  assert.ok(!all('a').some((a) => a.affiliation === 'outcast'));
});

test('check 6 and §5: who may fetch, and bad input', () => {
  const room = seeded();
  assert.equal(condition(() => fetch(room, 'e')), 'forbidden');
  room.setAffiliation('e@example', 'member');
  assert.equal(fetch(room, 'e').count, 11);
  room.setAffiliation('e@example', 'outcast');
  assert.equal(condition(() => fetch(room, 'e')), 'forbidden');
  const ok = fetch(room, 'b', { max: 2 });
  for (const [name, q, want] of [
    ['unknown filter value', { filter: { role: 'king' } }, 'bad-request'],
    ['unknown filter attribute', { filter: { colour: 'red' } }, 'bad-request'],
    ['empty filter attribute', { filter: { state: ' ' } }, 'bad-request'],
    ['after and before', { after: ok.last!, before: ok.first! }, 'bad-request'],
    ['index with after', { after: ok.last!, index: 3 }, 'bad-request'],
    ['index jump', { index: 3 }, 'feature-not-implemented'],
    ['garbage cursor', { after: 'bm9wZQ' }, 'item-not-found'],
    ['cursor of another filter', { after: ok.last!, filter: { state: 'online' } }, 'item-not-found'],
  ] as Array<[string, Q, string]>) assert.equal(condition(() => fetch(room, 'b', q)), want, name);
  const other = seeded();
  assert.equal(condition(() => fetch(other, 'b', { after: ok.last! })), 'item-not-found', 'cursor of another room');
  const big = fetch(room, 'b', { max: 1000 });
  assert.equal(big.items.length, big.count);
});

test('show_absent off: non-admins get occupants only, with a matching count; admins still get everyone', () => {
  const room = seeded();
  room.config.showAbsent = false;
  const member = fetch(room, 'b', { max: 50 });
  assert.deepEqual(member.items.map((a) => a.nick), ['A', 'B', 'C']);
  assert.equal(member.count, 3);
  assert.equal(fetch(room, 'c', { max: 50, filter: { state: 'absent' } }).count, 0);
  assert.equal(fetch(room, 'a', { max: 50 }).count, 10);
  // A cursor from the full view does not continue the reduced one.
  room.config.showAbsent = true;
  const full = fetch(room, 'b', { max: 2 });
  room.config.showAbsent = false;
  assert.equal(condition(() => fetch(room, 'b', { after: full.last! })), 'item-not-found');
});

test('check 9: a cursor older than the rank-change log is item-not-found; a fresh walk works', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
  try {
    const room = seeded();
    const p1 = fetch(room, 'b', { max: 2 });
    room.setAffiliation('m1@example', 'admin');
    mock.timers.tick(10 * 60_000);
    // Still within 15 minutes: the walk continues, M1 at its member position.
    assert.deepEqual(fetch(room, 'b', { max: 1, after: p1.last! }).items.map((a) => a.nick), ['M2']);
    mock.timers.tick(6 * 60_000);
    room.setAffiliation('m2@example', 'admin');
    assert.equal(condition(() => fetch(room, 'b', { max: 2, after: p1.last! })), 'item-not-found');
    const fresh = fetch(room, 'b', { max: 3 });
    assert.deepEqual(fresh.items.map((a) => a.nick), ['A', 'M1', 'M2']);
    // A walk that began after the last pruned change goes on; M3, promoted since, keeps its member place.
    room.setAffiliation('m3@example', 'admin');
    assert.deepEqual(fetch(room, 'b', { max: 2, after: fresh.last! }).items.map((a) => `${a.nick}:${a.affiliation}`), ['M3:admin', 'M4:member']);
  } finally {
    mock.timers.reset();
  }
});

test('check 8: XEP-0045 affiliation lists come in (rank, seq) order; a new member goes last', () => {
  const room = seeded();
  const before = room.withAffiliation(['member']).map((e) => e.jid);
  room.setAffiliation('new@example', 'member');
  const after = room.withAffiliation(['member']).map((e) => e.jid);
  assert.deepEqual(after, [...before, 'new@example']);
  const walked = fetch(room, 'a', { max: 250, filter: { affiliation: 'member' } }).items.map((a) => a.jid);
  assert.deepEqual(walked, after);
  assert.deepEqual(room.withAffiliation(['member', 'owner']).map((e) => e.affiliation), ['owner', ...after.map(() => 'member')]);
});

test('randomized: entries present throughout appear exactly once, in walk order, under joins, leaves and affiliation changes', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const affs: Affiliation[] = ['owner', 'admin', 'member', 'none', 'outcast'];
  for (let round = 0; round < 40; round++) {
    const room = newRoom();
    for (let i = 0; i < 120; i++) room.setAffiliation(`u${i}@example`, affs[rnd(3)]);
    for (let i = 120; i < 150; i++) join(room, `u${i}`);
    const backwards = round % 2 === 1;
    // Entries that stop existing (deleted, maybe re-created with a new seq) or stop matching the
    // default filter (outcast) at some point are exempt; every other starting entry is checked.
    const exempt = new Set<string>();
    const startIds = fetch(room, 'u0', { max: 250 }).items.map((a) => a.id);
    const seen: string[] = [];
    let page = fetch(room, 'u0', backwards ? { max: 7, before: '' } : { max: 7 });
    for (let step = 0; step < 200 && page.items.length; step++) {
      const ids = page.items.map((a) => a.id);
      backwards ? seen.unshift(...ids) : seen.push(...ids);
      for (let k = 0; k < 4; k++) {
        const u = `u${1 + rnd(170)}`;
        const jid = `${u}@example`;
        const op = rnd(4);
        if (op === 0) room.setAffiliation(jid, affs[rnd(5)]);
        else if (op === 1 && !room.entry(jid)?.occupant) join(room, u);
        else if (op === 2) leave(room, u);
        else room.setAffiliation(jid, affs[rnd(3)]);
        const e = room.entry(jid);
        if (!e || e.affiliation === 'outcast') exempt.add(room.occupantId(jid));
      }
      page = fetch(room, 'u0', backwards ? { max: 7, before: page.first! } : { max: 7, after: page.last! });
    }
    const survivors = startIds.filter((id) => !exempt.has(id));
    assert.ok(survivors.length > 50, `round ${round}: too few survivors to mean anything`);
    const counts = new Map<string, number>();
    for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of survivors) assert.equal(counts.get(id), 1, `round ${round}: ${id} seen ${counts.get(id) ?? 0} times`);
    for (const [id, n] of counts) if (!exempt.has(id)) assert.equal(n, 1, `round ${round}: ${id} seen ${n} times`);
    const survivorSet = new Set(survivors);
    assert.deepEqual(seen.filter((id) => survivorSet.has(id)), survivors, `round ${round}: order`);
  }
});
