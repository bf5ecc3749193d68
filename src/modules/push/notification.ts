// XEP-0357 §6 notifications as pure functions: which messages warrant one, and the pubsub
// <publish/> iq carrying the urn:xmpp:push:summary form (§6, §8.2) plus the publish options the
// client gave when enabling (§5).
import { randomBytes } from 'node:crypto';
import { buildForm, formTypeField, type Field } from '../../forms/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { PushRegistration } from './registrations.ts';

/** A message a user would want to be woken for: text, encrypted text, or a call. */
export function warrantsNotification(m: Element): boolean {
  if (m.name !== 'message') return false;
  const type = m.attrs.type ?? 'normal';
  if (type === 'error' || type === 'headline') return false;
  return m.getChildElements().some((c) => c.localName === 'body' || c.localName === 'encrypted' || c.getNS() === NS.jingleMessage);
}

export interface Summary {
  messageCount: number;
  /** Included only when configured (§9: keep what passes through third parties small). */
  lastSender?: string;
  lastBody?: string;
}

export function summaryForm(s: Summary): Element {
  const fields: Field[] = [formTypeField(NS.pushSummary), { var: 'message-count', values: [String(s.messageCount)] }];
  if (s.lastSender !== undefined) fields.push({ var: 'last-message-sender', values: [s.lastSender] });
  if (s.lastBody !== undefined) fields.push({ var: 'last-message-body', values: [s.lastBody] });
  return buildForm({ type: 'submit', fields });
}

/** The publish request to one push service; from our domain (§6 examples), so its answer comes back to us. */
export function publishIq(domain: string, reg: PushRegistration, summary: Summary): Element {
  const publish = xml('publish', { node: reg.node || undefined }, xml('item', {}, xml('notification', { xmlns: NS.push }, summaryForm(summary))));
  const pubsub = xml('pubsub', { xmlns: NS.pubsub }, publish);
  if (reg.options.length > 0) {
    pubsub.append(xml('publish-options', {}, buildForm({ type: 'submit', fields: [formTypeField(NS.pubsubPublishOptions), ...reg.options] })));
  }
  // An unpredictable id: only the service we asked can answer this request.
  return xml('iq', { type: 'set', from: domain, to: reg.jid, id: `push-${randomBytes(9).toString('base64url')}` }, pubsub);
}

/**
 * §7: an error SHOULD disable the registration, but a server MAY keep it when the error looks
 * transient. Here: the service saying the node is gone or we may not publish (cancel-type
 * item-not-found / not-allowed, also forbidden) disables it; anything else (timeouts, wait-type
 * errors) keeps it.
 */
export function disablesRegistration(reply: Element): boolean {
  if (reply.attrs.type !== 'error') return false;
  const error = reply.getChild('error');
  if (!error) return false;
  const conditions = error.getChildElements().filter((c) => c.getNS() === NS.stanzas).map((c) => c.localName);
  if (error.attrs.type === 'cancel' && (conditions.includes('item-not-found') || conditions.includes('not-allowed'))) return true;
  return error.attrs.type === 'auth' && conditions.includes('forbidden');
}
