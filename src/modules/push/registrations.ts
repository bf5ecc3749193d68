// The push services a user enabled (XEP-0357 §5), stored per account in the key/value store:
// one entry per (service JID, node), with the publish options to send along (§5: "the server
// SHOULD use the last received request for any publish options"). Keys sort by JID then node,
// so the list comes back in a stable order.
import type { KeyValueStore } from '../../storage/types.ts';
import type { Field } from '../../forms/index.ts';

const STORE = 'push';

export interface PushRegistration {
  /** The XMPP Push Service (app server) JID. */
  jid: string;
  /** Its node for this device, '' when the client gave none. */
  node: string;
  /** Publish-options fields other than FORM_TYPE (XEP-0060 §7.1.5), e.g. a secret. */
  options: Field[];
}

function key(jid: string, node: string): string {
  return `${jid}\u0000${node}`;
}

export class PushRegistrations {
  constructor(private readonly kv: KeyValueStore) {}

  async list(username: string, domain: string): Promise<PushRegistration[]> {
    const out: PushRegistration[] = [];
    for (const k of await this.kv.keys(username, domain, STORE)) {
      const raw = await this.kv.get(username, domain, STORE, k);
      if (!raw) continue;
      try {
        out.push(JSON.parse(raw) as PushRegistration);
      } catch {
        /* an unreadable entry is skipped, not fatal */
      }
    }
    return out;
  }

  async has(username: string, domain: string, reg: Pick<PushRegistration, 'jid' | 'node'>): Promise<boolean> {
    return (await this.kv.get(username, domain, STORE, key(reg.jid, reg.node))) !== null;
  }

  async put(username: string, domain: string, reg: PushRegistration): Promise<void> {
    await this.kv.set(username, domain, STORE, key(reg.jid, reg.node), JSON.stringify(reg));
  }

  /** §5: with a node, that one registration; without, every node of that service. Returns how many went. */
  async remove(username: string, domain: string, jid: string, node?: string): Promise<number> {
    const gone = (await this.list(username, domain)).filter((r) => r.jid === jid && (node === undefined || r.node === node));
    for (const r of gone) await this.kv.set(username, domain, STORE, key(r.jid, r.node), null);
    return gone.length;
  }
}
