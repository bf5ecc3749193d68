// XEP-0050 command execution without a server: sessions and stages (§3.3), actions and what
// 'execute' means (§3.4), prev/cancel, the §4.6 errors, expiry, and the per-requester cap.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from '../../helpers/parse-xml.ts';
import { jid } from '../../../src/jid/index.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import type { Element } from '../../../src/xml/element.ts';
import type { AdhocCommand, AdhocRequest } from '../../../src/core/services.ts';
import { runCommand } from '../../../src/modules/adhoc/executor.ts';
import { CommandSessions } from '../../../src/modules/adhoc/sessions.ts';

const CMD = 'http://jabber.org/protocol/commands';
const admin = jid('boss', 'example.org', 'desk');

/** A three-stage wizard: stage 0 and 1 offer next (and prev from stage 1), stage 2 completes. */
function wizard(log: AdhocRequest[] = []): AdhocCommand {
  return {
    node: 'urn:test#wizard',
    name: 'Wizard',
    allowed: (who) => who.local === 'boss',
    execute(req) {
      log.push({ ...req, state: { ...req.state } });
      req.state.visits = ((req.state.visits as number | undefined) ?? 0) + 1;
      if (req.stage < 2) return { status: 'executing', notes: [{ text: `stage ${req.stage}` }], actions: { allowed: ['next'], execute: 'next' } };
      return { status: 'completed', notes: [{ text: 'done' }] };
    },
  };
}

function setup(command = wizard(), sessions = new CommandSessions(60_000, 3)) {
  const commands = new Map([[command.node, command]]);
  const call = (attrs: string, who = admin) => runCommand(commands, sessions, parseXml(`<command xmlns='${CMD}' node='urn:test#wizard' ${attrs}/>`), who, 'example.org');
  return { call, sessions };
}

const status = (c: Element) => c.attrs.status;
const actions = (c: Element) => c.getChild('actions')?.getChildElements().map((a) => a.name);

async function rejects(p: Promise<unknown>, condition: string, specific?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof StanzaError && e.condition === condition && (specific === undefined || e.appCondition?.name === specific));
}

describe('XEP-0050 executor', () => {
  test('stages advance with next; prev goes back (§3.3); the last stage completes and ends the session', async () => {
    const log: AdhocRequest[] = [];
    const { call, sessions } = setup(wizard(log));
    const first = await call(`action='execute'`);
    assert.equal(status(first), 'executing');
    const sid = first.attrs.sessionid;
    assert.ok(sid);
    assert.deepEqual(actions(first), ['next'], 'no prev on the first stage');
    assert.equal(first.getChild('actions')?.attrs.execute, 'next');
    const second = await call(`sessionid='${sid}' action='next'`);
    assert.deepEqual(actions(second), ['prev', 'next'], 'prev is offered from the second stage on');
    assert.equal(second.getChildText('note'), 'stage 1');
    const back = await call(`sessionid='${sid}' action='prev'`);
    assert.equal(back.getChildText('note'), 'stage 0', 'prev re-presents the previous stage');
    assert.deepEqual(actions(back), ['next']);
    await call(`sessionid='${sid}'`); // 'execute' means next here (§3.4 execute attribute)
    const done = await call(`sessionid='${sid}' action='next'`);
    assert.equal(status(done), 'completed');
    assert.equal(done.getChild('actions'), undefined);
    assert.deepEqual(log.map((r) => [r.stage, r.action]), [[0, 'execute'], [1, 'next'], [1, 'next'], [2, 'next']]);
    assert.equal(log[3].state.visits, 3, 'state persists between stages');
    assert.equal(sessions.size, 0);
    await rejects(call(`sessionid='${sid}'`), 'not-allowed', 'session-expired');
  });

  test('an action the stage does not offer is bad-action; an unknown one is malformed-action', async () => {
    const { call } = setup();
    const sid = (await call('')).attrs.sessionid;
    await rejects(call(`sessionid='${sid}' action='complete'`), 'bad-request', 'bad-action');
    await rejects(call(`sessionid='${sid}' action='prev'`), 'bad-request', 'bad-action');
    await rejects(call(`sessionid='${sid}' action='leap'`), 'bad-request', 'malformed-action');
  });

  test('without <actions/> a stage offers complete only, and execute means complete (§3.4)', async () => {
    const single: AdhocCommand = {
      node: 'urn:test#wizard', name: 'Single', allowed: () => true,
      execute: (req) => (req.stage === 0 ? { status: 'executing' } : { status: 'completed', notes: [{ text: req.action }] }),
    };
    const { call } = setup(single);
    const first = await call('');
    assert.deepEqual(actions(first), ['complete']);
    assert.equal(first.getChild('actions')?.attrs.execute, 'complete');
    const done = await call(`sessionid='${first.attrs.sessionid}'`);
    assert.deepEqual([status(done), done.getChildText('note')], ['completed', 'complete']);
  });

  test('cancel ends the session with status canceled; the id is then expired', async () => {
    const { call } = setup();
    const sid = (await call('')).attrs.sessionid;
    const canceled = await call(`sessionid='${sid}' action='cancel'`);
    assert.equal(status(canceled), 'canceled');
    await rejects(call(`sessionid='${sid}' action='next'`), 'not-allowed', 'session-expired');
  });

  test('sessions belong to the requester\'s full JID; unknown ids are bad-sessionid', async () => {
    const { call } = setup();
    const sid = (await call('')).attrs.sessionid;
    await rejects(call(`sessionid='${sid}' action='next'`, jid('boss', 'example.org', 'phone')), 'bad-request', 'bad-sessionid');
    await rejects(call(`sessionid='made-up'`), 'bad-request', 'bad-sessionid');
    assert.equal(status(await call(`sessionid='${sid}' action='next'`)), 'executing', 'the owner still can');
  });

  test('rights are checked on every request; unknown nodes are item-not-found; a node is required', async () => {
    const { call } = setup();
    await rejects(call('', jid('mallory', 'example.org', 'x')), 'forbidden');
    const commands = new Map<string, AdhocCommand>();
    await rejects(runCommand(commands, new CommandSessions(1000, 1), parseXml(`<command xmlns='${CMD}' node='urn:none'/>`), admin, 'example.org'), 'item-not-found');
    await rejects(runCommand(commands, new CommandSessions(1000, 1), parseXml(`<command xmlns='${CMD}'/>`), admin, 'example.org'), 'bad-request');
  });

  test('a command that throws ends its session and passes the error on', async () => {
    const failing: AdhocCommand = { node: 'urn:test#wizard', name: 'Fails', allowed: () => true, execute: () => { throw new StanzaError('conflict'); } };
    const sessions = new CommandSessions(60_000, 3);
    const { call } = setup(failing, sessions);
    await rejects(call(''), 'conflict');
    assert.equal(sessions.size, 0);
  });

  test('each requester holds at most the configured number of open sessions', async () => {
    const { call } = setup(wizard(), new CommandSessions(60_000, 2));
    await call('');
    await call('');
    await rejects(call(''), 'resource-constraint');
  });

  test('idle sessions expire', () => {
    let now = 1_000;
    const sessions = new CommandSessions(5_000, 5, 10, () => now);
    const s = sessions.open('urn:x', 'a@b/c')!;
    now += 4_000;
    assert.notEqual(sessions.get(s.id), 'expired', 'touching extends the lifetime');
    now += 4_000;
    assert.notEqual(sessions.get(s.id), 'expired');
    now += 5_001;
    assert.equal(sessions.get(s.id), 'expired');
    assert.equal(sessions.get('never'), null);
  });
});
