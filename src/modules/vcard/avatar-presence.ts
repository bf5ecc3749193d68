// XEP-0153 §4: available presence from a resource carries <x xmlns='vcard-temp:x:update'> with the
// hash of the account's vCard photo, so contacts know when to fetch the vCard. The server adds it
// when the client did not (a client's own <x/>, even an empty one, says it manages this itself,
// §4.1). Accounts without any vCard get nothing added.
import type { Jid } from '../../jid/index.ts';
import type { VcardStore } from '../../storage/types.ts';
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { photoUpdate } from './photo.ts';

export class PhotoHashes {
  /** bare JID -> photo hash; null = vCard without photo, undefined = no vCard. Bounded, LRU order. */
  private readonly cache = new Map<string, string | null | undefined>();
  private generation = 0;
  constructor(private readonly store: VcardStore, private readonly max = 10_000) {}

  async get(bare: Jid): Promise<string | null | undefined> {
    const key = bare.toString();
    if (this.cache.has(key)) {
      const v = this.cache.get(key);
      this.cache.delete(key);
      this.cache.set(key, v);
      return v;
    }
    const started = this.generation;
    const v = await this.store.photoHash(bare.local, bare.domain);
    if (started === this.generation) this.remember(key, v);
    return v;
  }

  set(bare: Jid, hash: string | null | undefined): void {
    this.generation++;
    this.remember(bare.toString(), hash);
  }

  forget(bare: Jid): void {
    this.generation++;
    this.cache.delete(bare.toString());
  }

  private remember(key: string, v: string | null | undefined): void {
    this.cache.delete(key);
    this.cache.set(key, v);
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** Adds the update element to an available presence (no type) unless it has one. */
export async function stampPresence(presence: Element, owner: Jid, hashes: PhotoHashes): Promise<void> {
  if (presence.name !== 'presence' || presence.attrs.type !== undefined) return;
  if (presence.getChild('x', NS.vcardUpdate)) return;
  const hash = await hashes.get(owner.bare());
  if (hash === undefined || presence.getChild('x', NS.vcardUpdate)) return;
  presence.append(photoUpdate(hash));
}
