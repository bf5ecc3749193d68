// XEP-0158 challenges for entering rooms that require one (docs/payment.md): a join without a
// solved challenge is refused with not-authorized and the server sends a challenge message
// (from the server's domain, the challenger) with a jabber:x:data form; the user answers with an
// iq set <captcha xmlns='urn:xmpp:captcha'/> to the domain and may then join for an hour.
// Built-in kind: an arithmetic question in words. Challenges are single use, expire after five
// minutes, and hold only a salted SHA-256 hash of the answer.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { buildForm, field, formTypeField, type DataForm, type FormValues } from '../../forms/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export const NS_CAPTCHA = 'urn:xmpp:captcha';
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

export interface Challenge {
  id: string;
  /** The question's fields (XEP-0158 §5: 'qa'). */
  fields: ReturnType<typeof field>[];
}

/** A pluggable challenge kind: create a challenge, check an answer once. */
export interface ChallengeProvider {
  readonly name: string;
  create(): Challenge;
  check(id: string, values: FormValues): boolean;
}

const hash = (salt: Buffer, answer: string) => createHash('sha256').update(salt).update(answer.trim().toLowerCase()).digest();

export class ArithmeticCaptcha implements ChallengeProvider {
  readonly name = 'arithmetic';
  private pending = new Map<string, { salt: Buffer; answer: Buffer; expires: number }>();
  constructor(private readonly ttlMs = 300_000, private readonly max = 10_000, private readonly now: () => number = Date.now) {}

  create(): Challenge {
    const t = this.now();
    for (const [k, v] of this.pending) if (v.expires <= t) this.pending.delete(k);
    while (this.pending.size >= this.max) this.pending.delete(this.pending.keys().next().value as string);
    const a = randomInt(1, 13);
    const b = randomInt(1, 13);
    const salt = randomBytes(16);
    const id = randomBytes(12).toString('hex');
    this.pending.set(id, { salt, answer: hash(salt, String(a + b)), expires: t + this.ttlMs });
    return { id, fields: [field('text-single', 'qa', { label: `What is ${WORDS[a]} plus ${WORDS[b]}? (digits)`, required: true })] };
  }

  check(id: string, values: FormValues): boolean {
    const c = this.pending.get(id);
    this.pending.delete(id);
    if (!c || c.expires <= this.now()) return false;
    const given = values.value('qa');
    return given !== undefined && timingSafeEqual(hash(c.salt, given), c.answer);
  }
}

/** XEP-0158 §3.1 challenge message: from the challenger (the domain), the form inside <captcha/>. */
export function challengeMessage(o: { from: string; to: string; room: string; challenge: Challenge; body: string }): Element {
  const form: DataForm = {
    type: 'form',
    title: 'Prove you are human to enter the room',
    fields: [
      formTypeField(NS_CAPTCHA),
      field('hidden', 'from', { values: [o.room] }),
      field('hidden', 'challenge', { values: [o.challenge.id] }),
      field('hidden', 'sid', { values: [o.challenge.id] }),
      field('hidden', 'answers', { values: [String(o.challenge.fields.length)] }),
      ...o.challenge.fields,
    ],
  };
  return xml('message', { from: o.from, to: o.to, id: o.challenge.id, xmlns: NS.client },
    xml('body', {}, o.body),
    xml('captcha', { xmlns: NS_CAPTCHA }, buildForm(form)));
}

/** Which users solved a room's challenge (in memory, an hour), and the challenges handed out. */
export class RoomChallenges {
  private readonly rooms: ReadonlySet<string>;
  private readonly issued = new Map<string, { user: string; room: string }>();
  private readonly passes = new Map<string, number>();

  constructor(rooms: string[], private readonly provider: ChallengeProvider, private readonly passMs = 3_600_000, private readonly now: () => number = Date.now) {
    this.rooms = new Set(rooms.map((r) => r.toLowerCase()));
  }

  required(room: string): boolean {
    return this.rooms.has(room.toLowerCase());
  }

  passed(user: string, room: string): boolean {
    const until = this.passes.get(`${user} ${room.toLowerCase()}`);
    return until !== undefined && until > this.now();
  }

  /** A new challenge for `user` (bare JID) entering `room`. */
  create(user: string, room: string): Challenge {
    const c = this.provider.create();
    // Bounded like the provider's own store: the oldest issued challenge gives way.
    while (this.issued.size >= 10_000) this.issued.delete(this.issued.keys().next().value as string);
    this.issued.set(c.id, { user, room: room.toLowerCase() });
    return c;
  }

  /** XEP-0158 §3.3: the answer of `user` to a challenge; true (and a pass) when right. Single use. */
  answer(user: string, values: FormValues): boolean {
    const id = values.value('challenge') ?? '';
    const c = this.issued.get(id);
    this.issued.delete(id);
    // Checked even when the challenge is not this user's, so it is spent either way.
    const right = this.provider.check(id, values);
    if (!c || c.user !== user || !right) return false;
    const t = this.now();
    for (const [k, v] of this.passes) if (v <= t) this.passes.delete(k);
    this.passes.set(`${user} ${c.room}`, t + this.passMs);
    return true;
  }
}
