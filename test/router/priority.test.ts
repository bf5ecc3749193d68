import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highestPriority } from '../../src/router/delivery.ts';
import type { LocalSession } from '../../src/router/session.ts';
import { xml } from '../../src/xml/element.ts';

function s(id: string, priority: number, available = true): LocalSession {
  return { id, priority, presence: available ? xml('presence') : null } as unknown as LocalSession;
}

test('RFC 6121 §8.5.2.1.1: only the highest non-negative priority resources get bare-JID messages', () => {
  assert.deepEqual(highestPriority([s('a', 5), s('b', 1), s('c', 5)]).map((x) => x.id), ['a', 'c']);
});

test('negative priority and unavailable resources never get bare-JID messages', () => {
  assert.deepEqual(highestPriority([s('a', -1), s('b', 3, false)]), []);
  assert.deepEqual(highestPriority([s('a', -1), s('b', 0)]).map((x) => x.id), ['b']);
});
