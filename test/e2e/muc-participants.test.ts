// Participant list fetch with RSM paging (urn:xmpp:muc:participants:0, gc3-participants.md) over
// real @xmpp/client connections: a room with 1,000 members and 50 present occupants is walked with
// max=37 forwards and then backwards while the owner adds and removes 200 members (and promotes a
// few) and 30 other clients join and leave. Every entry that exists through a walk must come back
// exactly once, in the (rank, seq) order the test computes on its own; count is right at the start.
// Plus: who may fetch (forbidden), malformed RSM (bad-request / item-not-found) leaving the room
// unchanged, disco, and the XEP-0045 member list in the same order as a member-filtered walk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers } from '../helpers/accounts.ts';
import { adminSet, affiliationList, configure, createInstantRoom, errorCondition, esc, iqTo, join } from '../helpers/muc.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { connectXmppjs, disconnect, expectStanza, send, type Client } from '../helpers/xmppjs.ts';

const NS = 'urn:xmpp:muc:participants:0';
const RSM = 'http://jabber.org/protocol/rsm';
const RANK: Record<string, number> = { owner: 0, admin: 1, member: 2, none: 3, outcast: 4 };
const pad = (n: number, w = 4) => String(n).padStart(w, '0');

interface Page {
  ver: string;
  items: Array<Record<string, string>>;
  first?: string;
  last?: string;
  count: number;
  firstIndex?: string;
}

async function fetchPage(c: Client, room: string, rsm: string, filter = ''): Promise<Page> {
  const r = await iqTo(c, room, 'get', `<participants xmlns="${NS}">${filter}<set xmlns="${RSM}">${rsm}</set></participants>`, 10_000);
  if (r.attrs.type !== 'result') throw Object.assign(new Error(`fetch failed: ${r.toString()}`), { condition: errorCondition(r) });
  const p = r.getChild('participants', NS)!;
  const set = p.getChild('set', RSM)!;
  return {
    ver: p.attrs.ver as string,
    items: p.getChildren('participant').map((e) => e.attrs as Record<string, string>),
    first: set.getChildText('first') ?? undefined,
    last: set.getChildText('last') ?? undefined,
    count: Number(set.getChildText('count')),
    firstIndex: set.getChild('first')?.attrs.index as string | undefined,
  };
}

async function failure(c: Client, room: string, payload: string): Promise<string | undefined> {
  const r = await iqTo(c, room, 'get', payload);
  assert.equal(r.attrs.type, 'error', r.toString());
  return errorCondition(r);
}

/** Poll a condition (the walker and the mutator pace each other); bounded. */
async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The test's own model of the room: creation order and affiliation of every entry. */
class Model {
  private next = 0;
  readonly entries = new Map<string, { order: number; affiliation: string; occupant: boolean }>();
  add(jid: string, affiliation: string, occupant = false) {
    const e = this.entries.get(jid);
    if (e) Object.assign(e, { affiliation, occupant: occupant || e.occupant });
    else this.entries.set(jid, { order: this.next++, affiliation, occupant });
  }
  setAffiliation(jid: string, affiliation: string) {
    const e = this.entries.get(jid);
    if (!e) return this.add(jid, affiliation);
    e.affiliation = affiliation;
    if (affiliation === 'none' && !e.occupant) this.entries.delete(jid);
  }
  leave(jid: string) {
    const e = this.entries.get(jid)!;
    e.occupant = false;
    if (e.affiliation === 'none') this.entries.delete(jid);
  }
  /** The default list (no outcasts) in (rank, creation) order. */
  list(): string[] {
    return [...this.entries].filter(([, e]) => e.affiliation !== 'outcast')
      .sort(([, a], [, b]) => RANK[a.affiliation] - RANK[b.affiliation] || a.order - b.order).map(([j]) => j);
  }
}

describe('MUC participant list paging (real clients)', { timeout: 600_000 }, () => {
  let server: RunningServer;
  const open: Client[] = [];
  let d: string;
  let room: string;
  let owner: Client;
  let walker: Client;
  let present: Client[] = [];
  let churn: Client[] = [];
  const model = new Model();
  const login = async (u: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: u, password: `${u}-secret`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const inBatches = async <T>(xs: T[], n: number, fn: (x: T) => Promise<unknown>) => {
    for (let i = 0; i < xs.length; i += n) await Promise.all(xs.slice(i, i + n).map(fn));
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
    room = `big@conference.${d}`;
    const presentNames = Array.from({ length: 50 }, (_, i) => `p${pad(i, 2)}`);
    const churnNames = Array.from({ length: 30 }, (_, i) => `c${pad(i, 2)}`);
    await addUsers(server, ['own', 'walker', 'stranger', 'banned', ...presentNames, ...churnNames]);
    owner = await login('own');
    await createInstantRoom(owner, room, 'Own');
    model.add(`own@${d}`, 'owner', true);
    // Non-anonymous, so the member walking the list sees every jid and can be checked against the model.
    assert.equal((await configure(owner, room, { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_whois': 'anyone' })).attrs.type, 'result');
    const members = [`walker@${d}`, ...Array.from({ length: 1000 }, (_, i) => `m${pad(i)}@${d}`)];
    for (let i = 0; i < members.length; i += 250) {
      const batch = members.slice(i, i + 250);
      assert.equal((await adminSet(owner, room, batch.map((jid) => ({ jid, affiliation: 'member' })))).attrs.type, 'result');
      for (const jid of batch) model.add(jid, 'member');
    }
    assert.equal((await adminSet(owner, room, [{ jid: `banned@${d}`, affiliation: 'outcast' }])).attrs.type, 'result');
    model.add(`banned@${d}`, 'outcast');
    walker = await login('walker');
    present = [];
    await inBatches(presentNames, 10, async (u) => present.push(await login(u)));
    // Joined one at a time: join order is creation order for unaffiliated occupants.
    for (const u of presentNames) {
      await join(open.find((c) => c.jid?.local === u)!, room, u.toUpperCase());
      model.add(`${u}@${d}`, 'none', true);
    }
    churn = [];
    await inBatches(churnNames, 10, async (u) => churn.push(await login(u)));
  });
  after(async () => {
    await Promise.all(open.map(disconnect));
    await server?.stop();
  });

  /**
   * One walk of the whole list (max=37) while the owner runs `memberOps` and the churn clients
   * join and leave once each; each side waits for the other so the changes spread over the walk.
   */
  async function walkUnderChanges(backwards: boolean, memberOps: Array<Array<{ jid: string; affiliation: string }>>): Promise<{ seen: Array<Record<string, string>>; expected: string[]; firstCount: number; vers: string[] }> {
    const startList = model.list();
    const memberSteps: Array<() => Promise<void>> = memberOps.map((batch) => async () => {
      const r = await adminSet(owner, room, batch);
      assert.equal(r.attrs.type, 'result', r.toString());
      for (const { jid, affiliation } of batch) model.setAffiliation(jid, affiliation);
    });
    const churnSteps: Array<() => Promise<void>> = [];
    for (const c of churn) {
      const u = c.jid!.local;
      churnSteps.push(async () => {
        await join(c, room, u.toUpperCase());
        model.add(`${u}@${d}`, 'none', true);
      });
    }
    for (const c of churn) {
      const u = c.jid!.local;
      churnSteps.push(async () => {
        await send(c, `<presence type="unavailable" to="${esc(room)}/${u.toUpperCase()}"/>`);
        await expectStanza(c, (el) => el.name === 'presence' && el.attrs.type === 'unavailable' && el.attrs.from === `${room}/${u.toUpperCase()}`);
        model.leave(`${u}@${d}`);
      });
    }
    // Interleave member changes and churn evenly so both happen throughout the walk.
    const steps: Array<() => Promise<void>> = [];
    for (let i = 0, j = 0; i < memberSteps.length || j < churnSteps.length;) {
      if (j >= churnSteps.length || (i < memberSteps.length && i / memberSteps.length <= j / churnSteps.length)) steps.push(memberSteps[i++]);
      else steps.push(churnSteps[j++]);
    }
    const touched = new Set<string>();
    for (const batch of memberOps) for (const { jid } of batch) touched.add(jid);

    const pagesExpected = Math.ceil(startList.length / 37);
    const perPage = Math.ceil(steps.length / (pagesExpected - 2));
    let pages = 0;
    let started = 0;
    let walkDone = false;
    const mutator = (async () => {
      for (let j = 0; j < steps.length; j++) {
        await until(() => walkDone || pages >= Math.floor(j / perPage) + 1, 'the walker');
        started = j + 1;
        await steps[j]();
      }
    })();
    const seen: Array<Record<string, string>> = [];
    const vers: string[] = [];
    let firstCount = -1;
    try {
      let page = await fetchPage(walker, room, backwards ? '<max>37</max><before/>' : '<max>37</max>');
      firstCount = page.count;
      for (let i = 0; i < 200 && page.items.length > 0; i++) {
        pages++;
        vers.push(page.ver);
        assert.ok(page.items.length <= 37);
        backwards ? seen.unshift(...page.items) : seen.push(...page.items);
        await until(() => started >= Math.min(steps.length, pages * perPage), 'the mutator');
        const cursor = backwards ? `<before>${page.first}</before>` : `<after>${page.last}</after>`;
        page = await fetchPage(walker, room, `<max>37</max>${cursor}`);
      }
    } finally {
      walkDone = true;
      await mutator;
    }
    // Entries present through the whole walk: in the list at the start, never touched by a member
    // change that removes them. Promoted members stay (their rank is pinned to the walk's start).
    const removed = new Set([...touched].filter((jid) => !model.entries.has(jid) || model.entries.get(jid)!.affiliation === 'none'));
    const expected = startList.filter((jid) => !removed.has(jid) && !jid.startsWith('c'));
    return { seen, expected, firstCount, vers };
  }

  function checkWalk(r: Awaited<ReturnType<typeof walkUnderChanges>>, startCount: number) {
    assert.equal(r.firstCount, startCount, 'count at the start of the walk');
    const jids = r.seen.map((p) => p.jid);
    assert.ok(jids.every((j) => j !== undefined && !j.includes('/')), 'bare jids on every entry (non-anonymous room)');
    const counts = new Map<string, number>();
    for (const j of jids) counts.set(j, (counts.get(j) ?? 0) + 1);
    const dupes = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(dupes, [], 'no entry twice');
    const expectedSet = new Set(r.expected);
    const missing = r.expected.filter((j) => !counts.has(j));
    assert.deepEqual(missing, [], 'every entry present throughout is listed');
    assert.deepEqual(jids.filter((j) => expectedSet.has(j)), r.expected, 'in (rank, seq) order as of the walk start');
    assert.notEqual(r.vers[0], r.vers[r.vers.length - 1], 'the list changed during the walk');
  }

  test('count, order and uniqueness while members and occupants change (forwards, then backwards)', async () => {
    assert.equal(model.list().length, 1052);
    const promoteA = [100, 200, 300, 400, 500].map((i) => ({ jid: `m${pad(i)}@${d}`, affiliation: 'admin' }));
    const addsA = Array.from({ length: 100 }, (_, i) => ({ jid: `x${pad(i)}@${d}`, affiliation: 'member' }));
    const removesA = Array.from({ length: 100 }, (_, i) => ({ jid: `m${pad(900 + i)}@${d}`, affiliation: 'none' }));
    const batches = (xs: Array<{ jid: string; affiliation: string }>) => Array.from({ length: Math.ceil(xs.length / 10) }, (_, i) => xs.slice(i * 10, i * 10 + 10));
    const forwards = await walkUnderChanges(false, [...batches(addsA), ...batches(removesA), ...promoteA.map((p) => [p])]);
    checkWalk(forwards, 1052);
    const promoted = forwards.seen.filter((p) => promoteA.some((q) => q.jid === p.jid));
    assert.equal(promoted.length, 5, 'each promoted member listed once');

    const startB = model.list().length;
    assert.equal(startB, 1052);
    const promoteB = [50, 600, 650, 700, 750].map((i) => ({ jid: `m${pad(i)}@${d}`, affiliation: 'admin' }));
    const addsB = Array.from({ length: 100 }, (_, i) => ({ jid: `x${pad(100 + i)}@${d}`, affiliation: 'member' }));
    const removesB = Array.from({ length: 100 }, (_, i) => ({ jid: `m${pad(800 + i)}@${d}`, affiliation: 'none' }));
    const backwards = await walkUnderChanges(true, [...batches(addsB), ...batches(removesB), ...promoteB.map((p) => [p])]);
    checkWalk(backwards, startB);

    // After the changes a fresh walk is exactly the model's list.
    const all: string[] = [];
    let page = await fetchPage(walker, room, '<max>250</max>');
    assert.equal(page.count, model.list().length);
    while (page.items.length) {
      all.push(...page.items.map((p) => p.jid));
      page = await fetchPage(walker, room, `<max>250</max><after>${page.last}</after>`);
    }
    assert.deepEqual(all, model.list());
  });

  test('the XEP-0045 member list comes in the order of a member-filtered walk', async () => {
    const viaAdmin = (await affiliationList(owner, room, 'member')).map((i) => i.jid);
    const walked: string[] = [];
    let page = await fetchPage(owner, room, '<max>100</max>', '<filter affiliation="member"/>');
    while (page.items.length) {
      walked.push(...page.items.map((p) => p.jid));
      page = await fetchPage(owner, room, `<max>100</max><after>${page.last}</after>`, '<filter affiliation="member"/>');
    }
    assert.ok(viaAdmin.length > 900);
    assert.deepEqual(viaAdmin, walked);
  });

  test('strangers and outcasts get forbidden; malformed RSM gets bad-request / item-not-found; nothing changes', async () => {
    const stranger = await login('stranger');
    const banned = await login('banned');
    const before = await fetchPage(walker, room, '<max>0</max>');
    assert.equal(await failure(stranger, room, `<participants xmlns="${NS}"/>`), 'forbidden');
    assert.equal(await failure(banned, room, `<participants xmlns="${NS}"/>`), 'forbidden');
    assert.equal(await failure(walker, room, `<participants xmlns="${NS}"><filter affiliation="outcast"/></participants>`), 'forbidden');
    const q = (rsm: string, filter = '') => `<participants xmlns="${NS}">${filter}<set xmlns="${RSM}">${rsm}</set></participants>`;
    assert.equal(await failure(walker, room, q('<max>-1</max>')), 'bad-request');
    assert.equal(await failure(walker, room, q('<max>ten</max>')), 'bad-request');
    assert.equal(await failure(walker, room, q('<after>bm9zdWNoY3Vyc29y</after>')), 'item-not-found');
    assert.equal(await failure(walker, room, q('<before>!!</before>')), 'item-not-found');
    const p1 = await fetchPage(walker, room, '<max>5</max>');
    assert.equal(await failure(walker, room, q(`<after>${p1.last}</after><before>${p1.first}</before>`)), 'bad-request');
    assert.equal(await failure(walker, room, q(`<after>${p1.last}</after>`, '<filter state="online"/>')), 'item-not-found');
    assert.equal(await failure(walker, room, q('<index>10</index>')), 'feature-not-implemented');
    assert.equal(await failure(walker, room, q('', '<filter role="king"/>')), 'bad-request');
    // Asked of an occupant rather than the room (§5): not relayed to the occupant.
    assert.equal(await failure(walker, `${room}/${present[0].jid!.local.toUpperCase()}`, `<participants xmlns="${NS}"/>`), 'feature-not-implemented');
    const set = await iqTo(walker, room, 'set', q('<max>5</max>'));
    assert.equal(errorCondition(set), 'bad-request');
    // The room is as it was: same version, same count, and the walk goes on from its cursor.
    const after = await fetchPage(walker, room, '<max>0</max>');
    assert.deepEqual([after.ver, after.count], [before.ver, before.count]);
    const p2 = await fetchPage(walker, room, `<max>5</max><after>${p1.last}</after>`);
    assert.equal(p2.items.length, 5);
    assert.equal(p1.firstIndex, '0');
    // Once a member, the stranger may fetch while absent.
    assert.equal((await adminSet(owner, room, [{ jid: `stranger@${d}`, affiliation: 'member' }])).attrs.type, 'result');
    const asMember = await fetchPage(stranger, room, '<max>1</max>');
    assert.equal(asMember.count, after.count + 1);
  });

  test('the room advertises the feature; semi-anonymous rooms hide jids from members', async () => {
    const info = await iqTo(walker, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS));
    assert.equal((await configure(owner, room, { 'muc#roomconfig_whois': 'moderators' })).attrs.type, 'result');
    const asMember = await fetchPage(walker, room, '<max>50</max>');
    assert.ok(asMember.items.every((p) => p.jid === undefined && p.id));
    const asOwner = await fetchPage(owner, room, '<max>50</max>');
    assert.ok(asOwner.items.every((p) => p.jid !== undefined));
    const occupantView = await fetchPage(present[0], room, '<max>50</max>', '<filter state="online"/>');
    assert.ok(occupantView.items.length > 0 && occupantView.items.every((p) => p.jid === undefined && p.state === 'online' && p.role !== 'none'));
    // The owner hides absent members from non-admins (provisional roomconfig field).
    assert.equal((await configure(owner, room, { 'urn:xmpp:muc:participants:0#show_absent': '0' })).attrs.type, 'result');
    const occupantsOnly = await fetchPage(present[0], room, '<max>100</max>');
    assert.equal(occupantsOnly.count, 51);
    assert.ok(occupantsOnly.items.every((p) => p.state !== 'absent'));
    assert.ok((await fetchPage(owner, room, '<max>0</max>')).count > 1000);
  });
});
