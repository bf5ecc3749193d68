// Which caps each available full JID advertises, and what they mean: XEP-0115 §5.4 processing.
// A (hash, ver) we have verified is cached globally (memory LRU + store); an unknown one is looked
// up with disco#info to the advertising JID and trusted only if the answer hashes to ver. Legacy
// caps (no 'hash') and hashes we cannot compute are answered for that JID alone, never cached
// (§5.4 step 2). A verification string whose answer does not hash to it is not trusted at all.
import type { Jid } from '../../jid/index.ts';
import { tryParseJid } from '../../jid/index.ts';
import type { CapsStore } from '../../storage/types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { Lru } from './lru.ts';
import { discoFeatures, isSupportedHash, NS_CAPS, verifyCaps } from './verify.ts';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
/**
 * Available JIDs tracked at most. Local ones leave with their session; a remote one leaves with its
 * unavailable presence, which a dead s2s link may never deliver: past this bound the longest-known
 * entry is forgotten (it only costs that JID its notifications until its next presence).
 */
const MAX_TRACKED = 200_000;

export interface TrackerDeps {
  store: CapsStore;
  sendIq(iq: Element, timeoutMs: number): Promise<Element>;
  /** The features of `jid` became known or changed. */
  resolved(jid: Jid, features: ReadonlySet<string>, previous: ReadonlySet<string> | undefined): void;
  log: { debug(o: object, msg: string): void; info(o: object, msg: string): void };
  cacheSize: number;
  queryTimeoutMs: number;
  maxPending: number;
}

interface Advertised {
  hash?: string;
  node: string;
  ver: string;
  features?: ReadonlySet<string>;
  /** Looked up without a usable answer: the next presence with the same caps asks again. */
  failed?: boolean;
}

export class CapsTracker {
  private readonly current = new Map<string, Advertised>();
  private readonly verified: Lru<string, ReadonlySet<string>>;
  private readonly inflight = new Map<string, Promise<ReadonlySet<string> | null>>();
  private pending = 0;

  constructor(private readonly deps: TrackerDeps) {
    this.verified = new Lru(deps.cacheSize);
  }

  features(jid: Jid): ReadonlySet<string> | undefined {
    return this.current.get(jid.toString())?.features;
  }

  forget(jid: Jid): void {
    this.current.delete(jid.toString());
  }

  /** Presence from an available or departing full JID; `localDomain` is where our queries come from. */
  async onPresence(jid: Jid, stanza: Element, localDomain: string): Promise<void> {
    const type = stanza.attrs.type;
    if (type === 'unavailable' || type === 'error') return this.forget(jid);
    if (type !== undefined) return;
    const c = stanza.getChild('c', NS_CAPS);
    // §8.4 caps optimization: presence without <c/> keeps what the JID advertised before.
    if (!c) return;
    const { hash, node, ver } = c.attrs;
    if (!node || !ver) return;
    const key = jid.toString();
    const before = this.current.get(key);
    if (before && !before.failed && before.hash === hash && before.ver === ver && before.node === node) return;
    const entry: Advertised = { hash, node, ver };
    this.current.set(key, entry);
    if (this.current.size > MAX_TRACKED) this.current.delete(this.current.keys().next().value!);
    const features = await this.lookup(jid, entry, localDomain);
    // A newer presence (or unavailable) replaced this one while we were asking.
    if (this.current.get(key) !== entry) return;
    if (!features) {
      entry.failed = true;
      return;
    }
    entry.features = features;
    this.deps.resolved(jid, features, before?.features);
  }

  private async lookup(jid: Jid, a: Advertised, localDomain: string): Promise<ReadonlySet<string> | null> {
    if (!isSupportedHash(a.hash)) {
      const query = await this.query(jid, a, localDomain);
      return query ? new Set(discoFeatures(query)) : null;
    }
    const cacheKey = `${a.hash}\n${a.ver}`;
    const hit = this.verified.get(cacheKey);
    if (hit) return hit;
    let p = this.inflight.get(cacheKey);
    if (!p) {
      p = this.verify(jid, a as Advertised & { hash: string }, localDomain, cacheKey).finally(() => this.inflight.delete(cacheKey));
      this.inflight.set(cacheKey, p);
    }
    return p;
  }

  private async verify(jid: Jid, a: Advertised & { hash: string }, localDomain: string, cacheKey: string): Promise<ReadonlySet<string> | null> {
    const stored = await this.deps.store.get(a.hash, a.ver);
    if (stored) {
      const set = new Set(stored);
      this.verified.set(cacheKey, set);
      return set;
    }
    const query = await this.query(jid, a, localDomain);
    if (!query) return null;
    if (!verifyCaps(a.hash, a.ver, query)) {
      // §5.4 step 3.9: invalid; not cached, so the next JID advertising this ver is asked again.
      this.deps.log.info({ jid: jid.toString(), hash: a.hash, ver: a.ver }, 'caps verification string does not match the disco#info answer');
      return null;
    }
    const features = discoFeatures(query);
    const set = new Set(features);
    this.verified.set(cacheKey, set);
    await this.deps.store.put(a.hash, a.ver, features, this.deps.cacheSize);
    return set;
  }

  /** §6.2: disco#info to the advertising JID with node 'node#ver'; the answer must come from it. */
  private async query(jid: Jid, a: Advertised, localDomain: string): Promise<Element | null> {
    if (this.pending >= this.deps.maxPending) {
      this.deps.log.info({ jid: jid.toString(), pending: this.pending }, 'too many caps queries in flight: not asking');
      return null;
    }
    this.pending++;
    try {
      const iq = xml('iq', { type: 'get', from: localDomain, to: jid.toString() }, xml('query', { xmlns: NS_DISCO_INFO, node: `${a.node}#${a.ver}` }));
      const reply = await this.deps.sendIq(iq, this.deps.queryTimeoutMs);
      if (reply.attrs.type !== 'result' || !tryParseJid(reply.attrs.from ?? '')?.equals(jid)) return null;
      return reply.getChild('query', NS_DISCO_INFO) ?? null;
    } finally {
      this.pending--;
    }
  }
}
