// XEP-0198 from a hand-driven client (raw.ts): enable, ack, resume, and count what arrived the
// way the protocol counts it. For what real clients would never send (h too high, resuming
// someone else's session) and for exact counts.
import { RawXmpp, type RawOptions } from './raw.ts';
import { stanzasOf, streamElements } from './stream-elements.ts';
import type { Element } from 'ltx';

export const NS_SM = 'urn:xmpp:sm:3';

export interface SmLogin extends RawOptions {
  username: string;
  password: string;
  resource?: string;
}

export interface Enabled {
  id?: string;
  resume?: string;
  max?: string;
}

/** Log in, bind, and (unless enable = false) enable stream management. */
export async function smClient(opts: SmLogin & { enable?: boolean; resume?: boolean; max?: number }): Promise<{ raw: RawXmpp; enabled: Enabled }> {
  const raw = await RawXmpp.login({ ...opts, bind: true });
  if (opts.enable === false) return { raw, enabled: {} };
  const enabled = await enableSm(raw, opts.resume ?? true, opts.max);
  return { raw, enabled };
}

/** max: the client's preferred resumption time in seconds (§3). */
export async function enableSm(raw: RawXmpp, resume = true, max?: number): Promise<Enabled> {
  raw.write(`<enable xmlns='${NS_SM}'${resume ? " resume='true'" : ''}${max ? ` max='${max}'` : ''}/>`);
  const reply = await raw.waitFor(/<enabled[^>]*\/>|<enabled[^>]*>[\s\S]*?<\/enabled>|<failed[\s\S]*?(\/>|<\/failed>)/);
  const el = lastElement(raw, 'enabled');
  if (!el) throw new Error(`stream management was not enabled: ${reply}`);
  return { id: el.attrs.id, resume: el.attrs.resume, max: el.attrs.max };
}

/** The last top-level element of this name on the current stream. */
export function lastElement(raw: RawXmpp, name: string): Element | undefined {
  return streamElements(raw.text).filter((e) => e.name === name).at(-1);
}

/** Stanzas received on the current stream after <enabled/> or <resumed/> (what 'h' counts), in order. */
export function countedStanzas(raw: RawXmpp): Element[] {
  const all = streamElements(raw.text);
  const start = all.findIndex((e) => e.name === 'enabled' || e.name === 'resumed');
  return start < 0 ? [] : stanzasOf(all.slice(start + 1));
}

/** Ask for an ack and return the server's h. */
export async function requestAck(raw: RawXmpp): Promise<number> {
  raw.write(`<r xmlns='${NS_SM}'/>`);
  const a = await raw.waitFor(/<a [^>]*h=["'](\d+)["'][^>]*\/>/);
  return Number(/h=["'](\d+)["']/.exec(a.slice(a.lastIndexOf('<a ')))![1]);
}

/**
 * A new connection (possibly from another source address) that authenticates and sends
 * <resume/>; resolves with the connection and the server's answer (<resumed/> or <failed/>).
 */
export async function resumeSm(opts: SmLogin & { previd: string; h: number }): Promise<{ raw: RawXmpp; answer: Element }> {
  const raw = await RawXmpp.login({ ...opts, bind: false });
  raw.write(`<resume xmlns='${NS_SM}' previd='${opts.previd}' h='${opts.h}'/>`);
  await raw.waitFor(/<resumed[^>]*(\/>|<\/resumed>)|<failed[\s\S]*?(\/>|<\/failed>)/);
  const answer = streamElements(raw.text).find((e) => e.name === 'resumed' || e.name === 'failed');
  if (!answer) throw new Error(`no answer to <resume/>: ${raw.unread(true).slice(-2000)}`);
  return { raw, answer };
}

/** Resolve when the server has sent `count` counted stanzas (bounded by timeoutMs). */
export async function waitForCounted(raw: RawXmpp, count: number, timeoutMs = 5000): Promise<Element[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = countedStanzas(raw);
    if (got.length >= count) return got;
    if (Date.now() > deadline || raw.closed) throw new Error(`expected ${count} stanzas after <enabled/>, got ${got.length}:\n${got.map((e) => e.toString()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
