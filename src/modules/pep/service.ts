// The PEP service of every local account (XEP-0163): node operations over the store, access
// checks, and notification fan-out to the available resources that share presence with the owner
// and advertise <node>+notify in their caps (XEP-0163 §4.2, §4.3). Protocol parsing lives in
// handlers.ts; presence tracking in presence.ts.
import { randomUUID } from 'node:crypto';
import type { BlockingService, CapsService, RosterService } from '../../core/services.ts';
import { parseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { PepNode, PepStore } from '../../storage/types.ts';
import type { Element } from '../../xml/element.ts';
import { checkAccess, mayAccess, pubsubError, type AccessContext } from './access.ts';
import { applyValues, ConfigError, defaultConfig, fromStored, maxItemsOf, toStored, unmetPrecondition, type NodeConfig } from './config.ts';
import { deleteEvent, itemsEvent, notification, purgeEvent, retractEvent, type EventItem } from './event.ts';
import { parsePayload } from './payload.ts';
import type { Recipients } from './recipients.ts';

export interface PepLimits {
  /** What 'max' means and the highest pubsub#max_items accepted. */
  maxItems: number;
  maxPayloadBytes: number;
  maxNodes: number;
}

export interface PepDeps {
  store: PepStore;
  limits: PepLimits;
  recipients: Recipients;
  roster(): RosterService | undefined;
  caps(): CapsService | undefined;
  blocking(): BlockingService | undefined;
  send(stanza: Element): void;
  /** After an item is stored (observers: hooks, bookmarks compatibility). */
  published(ev: { owner: Jid; node: string; itemId: string; payload: Element; publisher: Jid; sync: boolean }): Promise<void>;
  /** After items left a node by retraction (not by max_items trimming). */
  retracted(ev: { owner: Jid; node: string; itemIds: string[]; sync: boolean }): Promise<void>;
}

export interface PublishRequest {
  node: string;
  itemId?: string;
  payload: Element;
  publisher: Jid;
  /** publish-options (XEP-0060 §7.1.5): field var → values. */
  preconditions?: Map<string, string[]>;
  /** Configuration for a node this publish creates (server-side publishers). */
  createWith?: Map<string, string[]>;
  /** Published by a compatibility bridge: observers must not mirror it back. */
  sync?: boolean;
}

export interface StoredItem {
  id: string;
  payload: Element;
  publishedAt: number;
}

const NOTIFY = '+notify';

/** The node names a caps feature set asks notifications for (XEP-0163 §4.2 filtered notifications). */
export function interests(features: ReadonlySet<string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const f of features ?? []) if (f.endsWith(NOTIFY) && f.length > NOTIFY.length) out.add(f.slice(0, -NOTIFY.length));
  return out;
}

export class PepServiceImpl {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly d: PepDeps) {}

  /** Mutations of one account's service run one at a time (check-then-write stays consistent). */
  private serial<T>(owner: Jid, fn: () => Promise<T>): Promise<T> {
    const key = owner.toString();
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  config(n: PepNode): NodeConfig {
    return fromStored(n.config, this.d.limits.maxItems);
  }

  async node(owner: Jid, node: string): Promise<PepNode | null> {
    return this.d.store.getNode(owner.local, owner.domain, node);
  }

  private async requireNode(owner: Jid, node: string): Promise<PepNode> {
    const n = await this.node(owner, node);
    if (!n) throw new StanzaError('item-not-found', `No node ${node}`);
    return n;
  }

  accessContext(owner: Jid, node: string, config: NodeConfig): AccessContext {
    let affs: Promise<Map<string, string>> | undefined;
    return {
      owner,
      config,
      roster: this.d.roster(),
      affiliations: () => (affs ??= this.affiliationMap(owner, node)),
    };
  }

  private async affiliationMap(owner: Jid, node: string): Promise<Map<string, string>> {
    const list = await this.d.store.affiliations(owner.local, owner.domain, node);
    return new Map(list.map((a) => [a.jid, a.affiliation]));
  }

  private newConfig(values: Map<string, string[]> | undefined, preconditions: Map<string, string[]> | undefined): NodeConfig {
    let c = defaultConfig();
    if (values) c = applyValues(c, values, this.d.limits.maxItems);
    if (preconditions) {
      try {
        c = applyValues(c, preconditions, this.d.limits.maxItems, true);
      } catch (e) {
        if (e instanceof ConfigError) throw pubsubError('conflict', 'precondition-not-met', e.message);
        throw e;
      }
    }
    return c;
  }

  private async createStored(owner: Jid, node: string, config: NodeConfig): Promise<boolean> {
    if ((await this.d.store.countNodes(owner.local, owner.domain)) >= this.d.limits.maxNodes) {
      throw new StanzaError('policy-violation', `An account has at most ${this.d.limits.maxNodes} nodes here`);
    }
    return this.d.store.createNode(owner.local, owner.domain, node, toStored(config));
  }

  // XEP-0060 §7.1: publish, with auto-create (§7.1.4) and publish-options (§7.1.5). Observers run
  // after the account's lock is released (they may publish themselves: bookmarks compatibility).
  async publish(owner: Jid, req: PublishRequest): Promise<string> {
    const size = Buffer.byteLength(req.payload.toString(), 'utf8');
    // §7.1.3.4: checked before anything is stored.
    if (size > this.d.limits.maxPayloadBytes) throw pubsubError('not-acceptable', 'payload-too-big', `Payloads are limited to ${this.d.limits.maxPayloadBytes} bytes`);
    const itemId = await this.serial(owner, async () => {
      const n = await this.node(owner, req.node);
      let config: NodeConfig;
      if (!n) {
        config = this.newConfig(req.createWith, req.preconditions);
        await this.createStored(owner, req.node, config);
      } else {
        config = this.config(n);
        const unmet = req.preconditions ? unmetPrecondition(config, req.preconditions, this.d.limits.maxItems) : null;
        if (unmet !== null) throw pubsubError('conflict', 'precondition-not-met', unmet);
      }
      const id = req.itemId ?? randomUUID();
      if (config.persistItems) {
        const item = { id, payload: req.payload.toString(), publisher: req.publisher.toString(), publishedAt: Date.now() };
        await this.d.store.publish(owner.local, owner.domain, req.node, item, maxItemsOf(config, this.d.limits.maxItems));
      }
      await this.broadcast(owner, req.node, config, itemsEvent(req.node, [{ id, payload: config.deliverPayloads ? req.payload : undefined }]));
      return id;
    });
    await this.d.published({ owner, node: req.node, itemId, payload: req.payload, publisher: req.publisher, sync: req.sync ?? false });
    return itemId;
  }

  // XEP-0060 §6.5: items, all / newest max_items / by id, as `requester` may see them.
  async items(owner: Jid, node: string, requester: Jid, opts: { ids?: string[]; last?: number } = {}): Promise<StoredItem[]> {
    const n = await this.requireNode(owner, node);
    await checkAccess(this.accessContext(owner, node, this.config(n)), requester);
    const stored = await this.d.store.items(owner.local, owner.domain, node, opts);
    return stored.map((i) => ({ id: i.id, payload: parsePayload(i.payload), publishedAt: i.publishedAt }));
  }

  // XEP-0060 §7.2: retract, notifying when asked to (and the node does not forbid it).
  async retract(owner: Jid, node: string, itemId: string, notify: boolean, sync = false): Promise<void> {
    await this.serial(owner, async () => {
      const n = await this.requireNode(owner, node);
      if (!(await this.d.store.retract(owner.local, owner.domain, node, itemId))) throw new StanzaError('item-not-found', `No item ${itemId}`);
      const config = this.config(n);
      if (notify && config.notifyRetract) await this.broadcast(owner, node, config, retractEvent(node, [itemId]));
    });
    await this.d.retracted({ owner, node, itemIds: [itemId], sync });
  }

  // XEP-0060 §8.1: create, optionally configured.
  create(owner: Jid, node: string, values?: Map<string, string[]>): Promise<void> {
    return this.serial(owner, async () => {
      let config: NodeConfig;
      try {
        config = applyValues(defaultConfig(), values ?? new Map(), this.d.limits.maxItems);
      } catch (e) {
        if (e instanceof ConfigError) throw new StanzaError('not-acceptable', e.message);
        throw e;
      }
      if (await this.node(owner, node)) throw new StanzaError('conflict', `Node ${node} exists`);
      if (!(await this.createStored(owner, node, config))) throw new StanzaError('conflict', `Node ${node} exists`);
    });
  }

  // XEP-0060 §8.2: configure; lowering max_items drops the oldest items at once.
  configure(owner: Jid, node: string, values: Map<string, string[]>): Promise<void> {
    return this.serial(owner, async () => {
      const n = await this.requireNode(owner, node);
      let config: NodeConfig;
      try {
        config = applyValues(this.config(n), values, this.d.limits.maxItems);
      } catch (e) {
        if (e instanceof ConfigError) throw new StanzaError('not-acceptable', e.message);
        throw e;
      }
      await this.d.store.setConfig(owner.local, owner.domain, node, toStored(config));
      if (!config.persistItems) await this.d.store.purge(owner.local, owner.domain, node);
      else await this.d.store.trim(owner.local, owner.domain, node, maxItemsOf(config, this.d.limits.maxItems));
    });
  }

  // XEP-0060 §8.4: delete, notifying interested recipients (who could read the node).
  async delete(owner: Jid, node: string): Promise<void> {
    const ids = await this.serial(owner, async () => {
      const n = await this.requireNode(owner, node);
      const config = this.config(n);
      const gone = (await this.d.store.items(owner.local, owner.domain, node)).map((i) => i.id);
      if (config.notifyDelete) await this.broadcast(owner, node, config, deleteEvent(node));
      await this.d.store.deleteNode(owner.local, owner.domain, node);
      return gone;
    });
    if (ids.length) await this.d.retracted({ owner, node, itemIds: ids, sync: false });
  }

  // XEP-0060 §8.5: purge.
  async purge(owner: Jid, node: string, sync = false): Promise<void> {
    const ids = await this.serial(owner, async () => {
      const n = await this.requireNode(owner, node);
      const config = this.config(n);
      const gone = (await this.d.store.items(owner.local, owner.domain, node)).map((i) => i.id);
      await this.d.store.purge(owner.local, owner.domain, node);
      await this.broadcast(owner, node, config, purgeEvent(node));
      return gone;
    });
    if (ids.length) await this.d.retracted({ owner, node, itemIds: ids, sync });
  }

  async affiliations(owner: Jid, node: string): Promise<Array<{ jid: string; affiliation: string }>> {
    await this.requireNode(owner, node);
    const others = await this.d.store.affiliations(owner.local, owner.domain, node);
    return [{ jid: owner.toString(), affiliation: 'owner' }, ...others.filter((a) => a.jid !== owner.toString())];
  }

  // XEP-0060 §8.9.2: the owner edits affiliations (the whitelist); 'none' removes one. The owner's own stays.
  setAffiliations(owner: Jid, node: string, changes: Array<{ jid: Jid; affiliation: string }>): Promise<void> {
    return this.serial(owner, async () => {
      await this.requireNode(owner, node);
      for (const c of changes) if (c.jid.bare().equals(owner)) throw new StanzaError('not-acceptable', 'The owner affiliation cannot be changed');
      for (const c of changes) {
        await this.d.store.setAffiliation(owner.local, owner.domain, node, c.jid.bare().toString(), c.affiliation === 'none' ? null : c.affiliation);
      }
    });
  }

  async nodes(owner: Jid): Promise<PepNode[]> {
    return this.d.store.listNodes(owner.local, owner.domain);
  }

  /** XEP-0163 §4.3.1: to every known available resource that asked for `node` and may read it. */
  private async broadcast(owner: Jid, node: string, config: NodeConfig, event: Element): Promise<void> {
    if (!config.deliverNotifications) return;
    const caps = this.d.caps();
    const access = this.accessContext(owner, node, config);
    const allowed = new Map<string, boolean>();
    for (const r of this.d.recipients.recipientsOf(owner.toString())) {
      const jid = parseJid(r);
      if (!interests(caps?.features(jid)).has(node)) continue;
      const bare = jid.bare().toString();
      let ok = allowed.get(bare);
      if (ok === undefined) allowed.set(bare, (ok = (await mayAccess(access, jid)) && !(await this.blocked(owner, jid))));
      if (ok) this.d.send(notification(owner.toString(), r, event));
    }
  }

  /** XEP-0163 §4.3.1 rule 3: no notifications to a JID the owner blocked (XEP-0191). */
  private async blocked(owner: Jid, jid: Jid): Promise<boolean> {
    if (jid.bare().equals(owner)) return false;
    return (await this.d.blocking()?.isBlocked(owner.local, owner.domain, jid)) ?? false;
  }

  /**
   * XEP-0163 §4.3.2: the last published item of each node in `wanted` (that exists, sends on
   * presence, and `recipient` may read) to a newly available resource, or one with new interests.
   */
  async sendLastItems(owner: Jid, recipient: Jid, wanted: ReadonlySet<string>): Promise<void> {
    if (wanted.size === 0) return;
    if (await this.blocked(owner, recipient)) return;
    for (const n of await this.d.store.listNodes(owner.local, owner.domain)) {
      if (!wanted.has(n.node)) continue;
      const config = this.config(n);
      if (config.sendLastPublishedItem !== 'on_sub_and_presence' || !config.deliverNotifications) continue;
      if (!(await mayAccess(this.accessContext(owner, n.node, config), recipient))) continue;
      const [last] = await this.d.store.items(owner.local, owner.domain, n.node, { last: 1 });
      if (!last) continue;
      const item: EventItem = { id: last.id, payload: config.deliverPayloads ? parsePayload(last.payload) : undefined };
      this.d.send(notification(owner.toString(), recipient.toString(), itemsEvent(n.node, [item]), last.publishedAt));
    }
  }
}
