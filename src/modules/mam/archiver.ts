// Putting messages into user archives: policy (policy.ts), the owner's preferences (prefs.ts),
// and "once per archive" (XEP-0313 §6.1.1: a stanza seen twice on its way is stored once).
import type { Jid } from '../../jid/index.ts';
import type { KeyValueStore, ArchiveStore } from '../../storage/types.ts';
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { isArchivable } from './policy.ts';
import type { DefaultPref, MamPrefs } from './prefs.ts';

const PREFS_STORE = 'mam';
const PREFS_KEY = 'prefs';

export interface ArchiverDeps {
  archive: ArchiveStore;
  kv: KeyValueStore;
  defaultPref: DefaultPref;
  /** Whether `remote` is in the owner's roster (default='roster'); false when there is no roster service. */
  inRoster(owner: Jid, remote: Jid): Promise<boolean>;
  allowed(prefs: MamPrefs, remote: Jid, inRoster: () => Promise<boolean>): Promise<boolean>;
  onArchived(direction: 'in' | 'out'): void;
}

export class Archiver {
  /** Per stanza element and owner: the archiving outcome (id, or null when not archived). */
  private readonly outcomes = new WeakMap<Element, Map<string, Promise<string | null>>>();
  private readonly ids = new WeakMap<Element, Map<string, string>>();

  constructor(private readonly deps: ArchiverDeps) {}

  async prefs(owner: Jid): Promise<MamPrefs> {
    const raw = await this.deps.kv.get(owner.local, owner.domain, PREFS_STORE, PREFS_KEY);
    if (raw !== null) {
      try {
        return JSON.parse(raw) as MamPrefs;
      } catch {
        /* unreadable: fall back to the server default */
      }
    }
    return { default: this.deps.defaultPref, always: [], never: [] };
  }

  async setPrefs(owner: Jid, prefs: MamPrefs): Promise<void> {
    await this.deps.kv.set(owner.local, owner.domain, PREFS_STORE, PREFS_KEY, JSON.stringify(prefs));
  }

  /** Whether this stanza has already been through archiving for `owner` (archived or not). */
  seen(stanza: Element, owner: Jid): boolean {
    return this.outcomes.get(stanza)?.has(owner.toString()) ?? false;
  }

  /**
   * Whether `id`, found in a <stanza-id by=owner/> on `stanza`, is the one this archive stamped on
   * it earlier: a copy of a delivered message routed again (XEP-0198 re-routing of unacknowledged
   * stanzas, say) must not be archived twice (XEP-0313 §6.1.1). The archived message must be the
   * same stanza (same sender and stanza id), so a copied or guessed id does not pass.
   */
  async isOwnStamp(owner: Jid, stanza: Element, id: string): Promise<boolean> {
    const page = await this.deps.archive.query({ username: owner.local, domain: owner.domain }, { ids: [id], limit: 1 });
    const stored = page.items[0] ? parseElement(page.items[0].stanza) : null;
    if (!stored || stored.attrs.id === undefined) return false;
    return stored.attrs.id === stanza.attrs.id && stored.attrs.from === stanza.attrs.from;
  }

  /** Record that `stanza` is already in `owner`'s archive under `id`. */
  markArchived(stanza: Element, owner: Jid, id: string): void {
    const key = owner.bare().toString();
    let outcomes = this.outcomes.get(stanza);
    if (!outcomes) this.outcomes.set(stanza, (outcomes = new Map()));
    outcomes.set(key, Promise.resolve(id));
    let ids = this.ids.get(stanza);
    if (!ids) this.ids.set(stanza, (ids = new Map()));
    ids.set(key, id);
  }

  archivedId(stanza: Element, owner: Jid): string | undefined {
    return this.ids.get(stanza)?.get(owner.bare().toString());
  }

  archive(owner: Jid, stanza: Element, opts: { with: Jid; direction: 'in' | 'out' }): Promise<string | null> {
    const bare = owner.bare();
    const key = bare.toString();
    let perOwner = this.outcomes.get(stanza);
    if (!perOwner) this.outcomes.set(stanza, (perOwner = new Map()));
    const known = perOwner.get(key);
    if (known) return known;
    // The copy is taken now: later hooks may add to the stanza (our own stanza-id among them).
    const copy = isArchivable(stanza) ? stanza.clone() : null;
    const outcome = copy ? this.store(bare, copy, opts, stanza) : Promise.resolve(null);
    perOwner.set(key, outcome);
    return outcome;
  }

  private async store(owner: Jid, copy: Element, opts: { with: Jid; direction: 'in' | 'out' }, original: Element): Promise<string | null> {
    const prefs = await this.prefs(owner);
    if (!(await this.deps.allowed(prefs, opts.with, () => this.deps.inRoster(owner, opts.with)))) return null;
    // XEP-0297: the forwarded original is a jabber:client stanza whatever stream it came on.
    copy.attrs.xmlns = NS.client;
    const [{ id }] = await this.deps.archive.append([{
      owner: { username: owner.local, domain: owner.domain },
      with: opts.with.toString(),
      stanza: copy.toString(),
      direction: opts.direction,
      // Delivery goes on once the copy is committed; the sender's only acknowledgement of a 1:1
      // message, the SM <a/>, waits for the disk (Storage.durable(), see the sm module).
    }], { waitForDisk: false });
    let perOwner = this.ids.get(original);
    if (!perOwner) this.ids.set(original, (perOwner = new Map()));
    perOwner.set(owner.toString(), id);
    this.deps.onArchived(opts.direction);
    return id;
  }
}
