// What a jabber:iq:register set asks for (XEP-0077 §3): cancel (<remove/>), a data form
// submission (§5, which wins over legacy fields sent alongside, §6 precedence), or the legacy
// <username/>/<password/>/<email/> fields.
import { findFormElement, formTypeOf, parseForm, type DataForm } from '../../forms/index.ts';
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export type RegisterSet =
  | { kind: 'remove'; alone: boolean }
  | { kind: 'form'; form: DataForm; formType: string | undefined }
  | { kind: 'legacy'; username?: string; password?: string; email?: string }
  | { kind: 'empty' };

/** Throws FormError when the data form is malformed. */
export function parseRegisterSet(query: Element): RegisterSet {
  const children = query.getChildElements();
  if (query.getChild('remove', NS.register)) return { kind: 'remove', alone: children.length === 1 };
  const x = findFormElement(query);
  if (x) {
    const form = parseForm(x);
    return { kind: 'form', form, formType: formTypeOf(form) };
  }
  const text = (name: string) => query.getChild(name, NS.register)?.getText();
  const username = text('username');
  const password = text('password');
  const email = text('email');
  if (username === undefined && password === undefined && email === undefined) return { kind: 'empty' };
  return { kind: 'legacy', username, password, email };
}
