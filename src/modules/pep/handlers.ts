// XEP-0060 requests to an account's bare JID, parsed and answered: the pubsub namespace (publish
// §7.1, retract §7.2, create §8.1, items §6.5) and pubsub#owner (configure §8.2, default §8.3,
// delete §8.4, purge §8.5, affiliations §8.9). Owner operations need the owner (§4.1).
import { FormError, parseForm, findFormElement, formTypeOf } from '../../forms/index.ts';
import type { IqRequest } from '../../router/iq.ts';
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { pubsubError } from './access.ts';
import { configForm, defaultConfig, NS_NODE_CONFIG, NS_PUBLISH_OPTIONS } from './config.ts';
import { payloadOf } from './payload.ts';
import type { PepServiceImpl } from './service.ts';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';

/** Node and item ids are strings the client chose; keep them to a sane size. */
const MAX_ID_LENGTH = 1023;

export interface HandlerDeps {
  service: PepServiceImpl;
  accountExists(owner: Jid): Promise<boolean>;
  rosterGroups(owner: Jid): Promise<string[]>;
}

function nodeAttr(el: Element): string {
  const node = el.attrs.node;
  // §7.1.3 / §8.1.2: PEP has no instant nodes and no root node operations.
  if (node === undefined || node === '') throw pubsubError('bad-request', 'nodeid-required', 'A node attribute is required');
  if (node.length > MAX_ID_LENGTH) throw new StanzaError('not-acceptable', 'Node name too long');
  return node;
}

function requireOwner(req: IqRequest): void {
  if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('forbidden', 'Only the account owner may do this');
}

function booleanAttr(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

/**
 * The field values of a <x/> data form inside `parent`, checked to carry the expected FORM_TYPE
 * (XEP-0068) when it names one; undefined when there is no form.
 */
function formValues(parent: Element | undefined, formType: string, badForm: () => StanzaError): Map<string, string[]> | undefined {
  if (!parent) return undefined;
  const x = findFormElement(parent);
  if (!x) return undefined;
  try {
    const form = parseForm(x);
    if (form.type === 'cancel') return new Map();
    if (form.type !== 'submit') throw new FormError(`expected a form of type submit, got ${form.type}`);
    const ft = formTypeOf(form);
    if (ft !== undefined && ft !== formType) throw new FormError(`FORM_TYPE is ${ft}, expected ${formType}`);
    const values = new Map<string, string[]>();
    for (const f of form.fields) if (f.var !== undefined && f.var !== 'FORM_TYPE') values.set(f.var, f.values);
    return values;
  } catch (e) {
    if (e instanceof FormError) {
      const err = badForm();
      throw new StanzaError(err.condition, e.message, err.type, err.appCondition);
    }
    throw e;
  }
}

/** The single action element of a <pubsub/>, besides its option/configure companions. */
function action(pubsub: Element, companions: string[]): Element {
  const actions = pubsub.getChildElements().filter((c) => !companions.includes(c.localName));
  if (actions.length !== 1) throw new StanzaError('bad-request', 'A pubsub request carries exactly one action');
  return actions[0];
}

export function pubsubGet(d: HandlerDeps) {
  return async (req: IqRequest): Promise<Element> => {
    if (!(await d.accountExists(req.to.bare()))) throw new StanzaError('service-unavailable');
    const a = action(req.payload, []);
    if (a.localName === 'items') return items(d, req, a);
    throw pubsubError('feature-not-implemented', 'unsupported', `${a.localName} is not supported by this PEP service`, { feature: featureOf(a.localName) });
  };
}

async function items(d: HandlerDeps, req: IqRequest, a: Element): Promise<Element> {
  const node = nodeAttr(a);
  const ids = a.getChildren('item').map((i) => i.attrs.id).filter((id): id is string => id !== undefined);
  let last: number | undefined;
  if (a.attrs.max_items !== undefined) {
    if (!/^\d+$/.test(a.attrs.max_items)) throw new StanzaError('bad-request', 'max_items must be a non-negative integer');
    last = Number(a.attrs.max_items);
  }
  const list = await d.service.items(req.to.bare(), node, req.from, ids.length ? { ids } : last !== undefined ? { last } : {});
  return xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node }, list.map((i) => xml('item', { id: i.id }, i.payload))));
}

export function pubsubSet(d: HandlerDeps) {
  return async (req: IqRequest): Promise<Element | void> => {
    if (!(await d.accountExists(req.to.bare()))) throw new StanzaError('service-unavailable');
    const a = action(req.payload, ['publish-options', 'configure']);
    switch (a.localName) {
      case 'publish':
        return publish(d, req, a);
      case 'retract':
        return retract(d, req, a);
      case 'create':
        return create(d, req, a);
      default:
        throw pubsubError('feature-not-implemented', 'unsupported', `${a.localName} is not supported by this PEP service`, { feature: featureOf(a.localName) });
    }
  };
}

function featureOf(action: string): string {
  return action === 'subscribe' || action === 'unsubscribe' || action === 'options' ? 'subscribe' : action === 'subscriptions' ? 'retrieve-subscriptions' : action === 'affiliations' ? 'retrieve-affiliations' : action;
}

async function publish(d: HandlerDeps, req: IqRequest, a: Element): Promise<Element> {
  requireOwner(req);
  const node = nodeAttr(a);
  const itemEls = a.getChildren('item');
  // §7.1.3.6: a persistent node needs an item; PEP publishes one item per request.
  if (itemEls.length === 0) throw pubsubError('bad-request', 'item-required', 'Publish one item');
  if (itemEls.length > 1) throw pubsubError('bad-request', 'invalid-payload', 'Publish one item per request');
  const itemId = itemEls[0].attrs.id || undefined;
  if (itemId !== undefined && itemId.length > MAX_ID_LENGTH) throw new StanzaError('not-acceptable', 'Item id too long');
  const payload = payloadOf(itemEls[0]);
  // §7.1.5: a malformed publish-options form is a precondition that cannot be met.
  const preconditions = formValues(req.payload.getChild('publish-options'), NS_PUBLISH_OPTIONS, () => pubsubError('conflict', 'precondition-not-met'));
  const id = await d.service.publish(req.to.bare(), { node, itemId, payload, publisher: req.from, preconditions });
  return xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node }, xml('item', { id })));
}

async function retract(d: HandlerDeps, req: IqRequest, a: Element): Promise<void> {
  requireOwner(req);
  const node = nodeAttr(a);
  const ids = a.getChildren('item').map((i) => i.attrs.id);
  // §7.2.3.4: exactly one item with an id.
  if (ids.length !== 1 || !ids[0]) throw pubsubError('bad-request', 'item-required', 'Name the item to retract');
  await d.service.retract(req.to.bare(), node, ids[0], booleanAttr(a.attrs.notify));
}

async function create(d: HandlerDeps, req: IqRequest, a: Element): Promise<void> {
  requireOwner(req);
  const node = nodeAttr(a);
  const values = formValues(req.payload.getChild('configure'), NS_NODE_CONFIG, () => new StanzaError('not-acceptable'));
  await d.service.create(req.to.bare(), node, values);
}

export function ownerGet(d: HandlerDeps) {
  return async (req: IqRequest): Promise<Element> => {
    requireOwner(req);
    const owner = req.to.bare();
    const a = action(req.payload, []);
    if (a.localName === 'default') {
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('default', {}, configForm(defaultConfig(), await d.rosterGroups(owner))));
    }
    if (a.localName === 'configure') {
      const node = nodeAttr(a);
      const n = await d.service.node(owner, node);
      if (!n) throw new StanzaError('item-not-found', `No node ${node}`);
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node }, configForm(d.service.config(n), await d.rosterGroups(owner))));
    }
    if (a.localName === 'affiliations') {
      const node = nodeAttr(a);
      const list = await d.service.affiliations(owner, node);
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('affiliations', { node }, list.map((x) => xml('affiliation', { jid: x.jid, affiliation: x.affiliation }))));
    }
    throw pubsubError('feature-not-implemented', 'unsupported', `${a.localName} is not supported by this PEP service`, { feature: featureOf(a.localName) });
  };
}

const SETTABLE_AFFILIATIONS = new Set(['member', 'publisher', 'outcast', 'none']);

export function ownerSet(d: HandlerDeps) {
  return async (req: IqRequest): Promise<void> => {
    requireOwner(req);
    const owner = req.to.bare();
    const a = action(req.payload, []);
    switch (a.localName) {
      case 'configure': {
        const node = nodeAttr(a);
        const values = formValues(a, NS_NODE_CONFIG, () => new StanzaError('not-acceptable'));
        if (!values) throw new StanzaError('bad-request', 'A configuration form is required');
        return d.service.configure(owner, node, values);
      }
      case 'delete':
        return d.service.delete(owner, nodeAttr(a));
      case 'purge':
        return d.service.purge(owner, nodeAttr(a));
      case 'affiliations': {
        const node = nodeAttr(a);
        const changes = a.getChildren('affiliation').map((el) => {
          const jid = tryParseJid(el.attrs.jid ?? '');
          if (!jid) throw new StanzaError('jid-malformed', `Bad JID ${el.attrs.jid ?? ''}`);
          const affiliation = el.attrs.affiliation ?? '';
          if (!SETTABLE_AFFILIATIONS.has(affiliation)) throw new StanzaError('not-acceptable', `Affiliation ${affiliation} cannot be set here`);
          return { jid, affiliation };
        });
        return d.service.setAffiliations(owner, node, changes);
      }
      default:
        throw pubsubError('feature-not-implemented', 'unsupported', `${a.localName} is not supported by this PEP service`, { feature: featureOf(a.localName) });
    }
  };
}
