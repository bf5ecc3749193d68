// XEP-0158 CAPTCHA forms for registration (docs/registration.md): the CaptchaProvider hook and the
// built-in 'qa' provider (operator-written questions, XEP-0158 §5 "qa" field). Challenges are
// single use and expire after five minutes; a provider keeps its own pending challenges.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { field, type Field, type FormValues } from '../../forms/index.ts';

export interface CaptchaContext {
  /** Rate-limit key of the client address (see rate-limit.ts). */
  address: string;
  /** XEP-0158 'sid': the id of the get that asked for the form. */
  sid: string;
  domain: string;
}

export interface CaptchaProvider {
  readonly name: string;
  /** A new challenge: its id and the fields the user answers (they join the jabber:iq:register form). */
  create(ctx: CaptchaContext): { id: string; fields: Field[] } | Promise<{ id: string; fields: Field[] }>;
  /** Whether the submitted values answer challenge `id` (sid included). Single use: the challenge is gone afterwards. */
  check(id: string, answers: FormValues): boolean | Promise<boolean>;
}

/** Pending challenges with a lifetime and a bound, taken out exactly once. */
export class SingleUseStore<T> {
  private items = new Map<string, { value: T; expires: number }>();
  constructor(private readonly ttlMs: number, private readonly max: number, private readonly now: () => number = Date.now) {}

  put(value: T): string {
    const t = this.now();
    for (const [k, v] of this.items) if (v.expires <= t) this.items.delete(k);
    // Bounded: the oldest pending challenge gives way (Map keeps insertion order).
    while (this.items.size >= this.max) this.items.delete(this.items.keys().next().value as string);
    const id = randomBytes(12).toString('hex');
    this.items.set(id, { value, expires: t + this.ttlMs });
    return id;
  }

  take(id: string): T | undefined {
    const item = this.items.get(id);
    this.items.delete(id);
    return item && item.expires > this.now() ? item.value : undefined;
  }
}

export interface QaQuestion {
  question: string;
  /** Accepted answers, compared case-insensitively after trimming. */
  answers: string[];
}

const normalise = (s: string) => s.trim().toLowerCase().normalize('NFKC');

const answerHash = (salt: Buffer, answer: string) => createHash('sha256').update(salt).update(answer).digest();

/** XEP-0158 question and answer: a random operator question in a 'qa' text field. */
export class QaCaptcha implements CaptchaProvider {
  readonly name = 'qa';
  // Only salted hashes of the accepted answers are held (a memory dump does not reveal them).
  private pending: SingleUseStore<{ sid: string; salt: Buffer; answers: Buffer[] }>;

  constructor(private readonly questions: QaQuestion[], ttlMs = 300_000, max = 10_000, now?: () => number) {
    if (questions.length === 0 || questions.some((q) => q.answers.length === 0)) throw new Error('the qa CAPTCHA needs questions, each with at least one answer');
    this.pending = new SingleUseStore(ttlMs, max, now);
  }

  create(ctx: CaptchaContext): { id: string; fields: Field[] } {
    const q = this.questions[randomInt(this.questions.length)];
    const salt = randomBytes(16);
    const id = this.pending.put({ sid: ctx.sid, salt, answers: q.answers.map((a) => answerHash(salt, normalise(a))) });
    return { id, fields: [field('text-single', 'qa', { label: q.question, required: true })] };
  }

  check(id: string, answers: FormValues): boolean {
    const c = this.pending.take(id);
    if (!c || answers.value('sid') !== c.sid) return false;
    const given = normalise(answers.value('qa') ?? '');
    const h = answerHash(c.salt, given);
    return given !== '' && c.answers.some((a) => timingSafeEqual(a, h));
  }
}
