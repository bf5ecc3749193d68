// PEP node configuration (XEP-0060 §16.4.4 pubsub#node_config fields) with the XEP-0163 §8 smart
// defaults, the owner's configuration form (§8.2), and publish-options preconditions (§7.1.5).
// Stored as field values by var, so the store does not need to know this model.
import { buildForm, field, formTypeField, type DataForm, type Field, type FieldType } from '../../forms/index.ts';
import type { Element } from '../../xml/element.ts';
import type { PepNodeConfig } from '../../storage/types.ts';

export const NS_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config';
export const NS_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';

export const ACCESS_MODELS = ['open', 'presence', 'roster', 'whitelist'] as const;
export type AccessModel = (typeof ACCESS_MODELS)[number];
export const SEND_LAST = ['never', 'on_sub', 'on_sub_and_presence'] as const;
export type SendLast = (typeof SEND_LAST)[number];

export interface NodeConfig {
  title: string;
  accessModel: AccessModel;
  rosterGroupsAllowed: string[];
  /** 'max': the server's limit (XEP-0060 §16.4.4 pubsub#max_items). */
  maxItems: number | 'max';
  persistItems: boolean;
  deliverNotifications: boolean;
  deliverPayloads: boolean;
  notifyRetract: boolean;
  notifyDelete: boolean;
  sendLastPublishedItem: SendLast;
}

/** XEP-0163 §8: presence access, notifications with payloads, last item on presence; one item (a PEP node is usually a singleton). */
export function defaultConfig(): NodeConfig {
  return {
    title: '',
    accessModel: 'presence',
    rosterGroupsAllowed: [],
    maxItems: 1,
    persistItems: true,
    deliverNotifications: true,
    deliverPayloads: true,
    notifyRetract: true,
    notifyDelete: true,
    sendLastPublishedItem: 'on_sub_and_presence',
  };
}

/** A submitted value the service cannot accept; the caller picks the error (not-acceptable, precondition-not-met). */
export class ConfigError extends Error {}

interface FieldDef {
  var: string;
  type: FieldType;
  label: string;
  options?: readonly string[];
  get(c: NodeConfig): string[];
  set(c: NodeConfig, values: string[], serverMaxItems: number): void;
}

function parseBool(values: string[], name: string): boolean {
  const v = (values[0] ?? '').trim();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new ConfigError(`${name} must be a boolean`);
}

function oneOf<T extends string>(allowed: readonly T[], values: string[], name: string): T {
  const v = (values[0] ?? '').trim();
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

const bool = (b: boolean) => [b ? 'true' : 'false'];

function boolField(name: string, label: string, key: 'persistItems' | 'deliverNotifications' | 'deliverPayloads' | 'notifyRetract' | 'notifyDelete'): FieldDef {
  return { var: name, type: 'boolean', label, get: (c) => bool(c[key]), set: (c, v) => void (c[key] = parseBool(v, name)) };
}

const FIELDS: FieldDef[] = [
  { var: 'pubsub#title', type: 'text-single', label: 'A friendly name for the node', get: (c) => [c.title], set: (c, v) => void (c.title = v[0] ?? '') },
  boolField('pubsub#deliver_notifications', 'Whether to deliver event notifications', 'deliverNotifications'),
  boolField('pubsub#deliver_payloads', 'Whether to deliver payloads with event notifications', 'deliverPayloads'),
  boolField('pubsub#notify_delete', 'Notify subscribers when the node is deleted', 'notifyDelete'),
  boolField('pubsub#notify_retract', 'Notify subscribers when items are removed from the node', 'notifyRetract'),
  boolField('pubsub#persist_items', 'Persist items to storage', 'persistItems'),
  {
    var: 'pubsub#max_items',
    type: 'text-single',
    label: 'Max # of items to persist. `max` for no specific limit other than a server imposed maximum.',
    get: (c) => [String(c.maxItems)],
    set(c, v, serverMax) {
      const s = (v[0] ?? '').trim();
      if (s === 'max') return void (c.maxItems = 'max');
      if (!/^\d+$/.test(s) || Number(s) < 1) throw new ConfigError('pubsub#max_items must be a positive integer or max');
      if (Number(s) > serverMax) throw new ConfigError(`pubsub#max_items is at most ${serverMax} here`);
      c.maxItems = Number(s);
    },
  },
  {
    var: 'pubsub#access_model',
    type: 'list-single',
    label: 'Who may subscribe and retrieve items',
    options: ACCESS_MODELS,
    get: (c) => [c.accessModel],
    set: (c, v) => void (c.accessModel = oneOf(ACCESS_MODELS, v, 'pubsub#access_model')),
  },
  {
    var: 'pubsub#roster_groups_allowed',
    type: 'list-multi',
    label: 'Roster groups allowed to subscribe (access model roster)',
    get: (c) => [...c.rosterGroupsAllowed],
    set: (c, v) => void (c.rosterGroupsAllowed = [...new Set(v)].sort()),
  },
  {
    var: 'pubsub#send_last_published_item',
    type: 'list-single',
    label: 'When to send the last published item',
    options: SEND_LAST,
    get: (c) => [c.sendLastPublishedItem],
    set: (c, v) => void (c.sendLastPublishedItem = oneOf(SEND_LAST, v, 'pubsub#send_last_published_item')),
  },
];

const BY_VAR = new Map(FIELDS.map((f) => [f.var, f]));

export function isConfigField(name: string): boolean {
  return BY_VAR.has(name);
}

/** The effective item limit of a node. */
export function maxItemsOf(c: NodeConfig, serverMax: number): number {
  return c.maxItems === 'max' ? serverMax : Math.min(c.maxItems, serverMax);
}

export function toStored(c: NodeConfig): PepNodeConfig {
  const out: PepNodeConfig = {};
  for (const f of FIELDS) out[f.var] = f.type === 'list-multi' ? f.get(c) : (f.get(c)[0] ?? '');
  return out;
}

/** Stored values over the defaults; a value that no longer parses keeps the default. */
export function fromStored(stored: PepNodeConfig, serverMax: number): NodeConfig {
  const c = defaultConfig();
  for (const [name, value] of Object.entries(stored)) {
    try {
      BY_VAR.get(name)?.set(c, Array.isArray(value) ? value : [value], serverMax);
    } catch {
      /* keep the default */
    }
  }
  return c;
}

/** Apply submitted values (field var → values) to a copy of `base`; unknown fields are ignored unless `strict`. Throws ConfigError. */
export function applyValues(base: NodeConfig, values: Map<string, string[]>, serverMax: number, strict = false): NodeConfig {
  const c: NodeConfig = { ...base, rosterGroupsAllowed: [...base.rosterGroupsAllowed] };
  for (const [name, v] of values) {
    if (name === 'FORM_TYPE') continue;
    const def = BY_VAR.get(name);
    if (!def) {
      if (strict) throw new ConfigError(`${name} is not a node configuration field here`);
      continue;
    }
    def.set(c, v, serverMax);
  }
  return c;
}

function normalised(def: FieldDef, c: NodeConfig, serverMax: number): string {
  const values = def.get(c);
  if (def.var === 'pubsub#max_items') return String(maxItemsOf(c, serverMax));
  if (def.type === 'boolean') return values[0];
  return def.type === 'list-multi' ? [...values].sort().join('\n') : (values[0] ?? '');
}

/**
 * XEP-0060 §7.1.5: each publish-options field is a precondition on the node's configuration of
 * the same name; an unknown field or a value that differs (after normalising 'max' and booleans)
 * fails. Returns the reason, or null when every precondition holds.
 */
export function unmetPrecondition(current: NodeConfig, preconditions: Map<string, string[]>, serverMax: number): string | null {
  let wanted: NodeConfig;
  try {
    wanted = applyValues(current, preconditions, serverMax, true);
  } catch (e) {
    return (e as Error).message;
  }
  for (const name of preconditions.keys()) {
    const def = BY_VAR.get(name);
    if (!def) continue;
    if (normalised(def, wanted, serverMax) !== normalised(def, current, serverMax)) return `${name} is ${normalised(def, current, serverMax) || '(empty)'} on this node`;
  }
  return null;
}

/** §8.2 configuration form (type form with current values), or §8.3 defaults. */
export function configForm(c: NodeConfig, rosterGroups: string[] = []): Element {
  const fields: Field[] = [formTypeField(NS_NODE_CONFIG)];
  for (const def of FIELDS) {
    const options = def.var === 'pubsub#roster_groups_allowed' ? [...new Set([...rosterGroups, ...c.rosterGroupsAllowed])].sort() : def.options;
    fields.push(field(def.type, def.var, { label: def.label, values: def.get(c), options: options?.map((value) => ({ value })) }));
  }
  const form: DataForm = { type: 'form', fields };
  return buildForm(form);
}
