// XEP-0157 Contact Addresses for XMPP Services (v1.1.1): the server's contact URIs as a XEP-0128
// extended-info form (FORM_TYPE http://jabber.org/network/serverinfo) in its disco#info.
// Config: [modules.contact-info] abuse, admin, feedback, sales, security, status, support
//   (URIs: mailto:, xmpp:, https:...). admin defaults to xmpp: URIs of the top-level `admins`.
// Features: none (the form itself is the advertisement). Hooks: none. Iq: none.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { buildForm, formTypeField, type Field } from '../../forms/index.ts';
import { NS } from '../../xml/namespaces.ts';
import { tryParseJid } from '../../jid/index.ts';

// RFC 3986 §3.1: a URI starts with a scheme and a colon.
const uri = z.string().regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/, 'a URI such as mailto:abuse@example.org or xmpp:admin@example.org');
const list = (what: string) => z.array(uri).default([]).describe(`URIs for ${what}`);

/** XEP-0157 §3 roles, in the XEP's order; each becomes the list-multi field '<role>-addresses'. */
const ROLES = ['abuse', 'admin', 'feedback', 'sales', 'security', 'status', 'support'] as const;

export default defineModule({
  name: 'contact-info',
  description: 'XEP-0157 contact addresses in the server\'s service discovery',
  options: z.object({
    abuse: list('abuse reports'),
    admin: list('the service administrators (default: xmpp: URIs of the top-level admins)'),
    feedback: list('customer feedback'),
    sales: list('sales inquiries'),
    security: list('security concerns'),
    status: list('service status pages or feeds'),
    support: list('technical support'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    const admin = o.admin.length ? o.admin : ctx.config.admins.map((a) => tryParseJid(a)).filter((j) => j !== null).map((j) => `xmpp:${j.bare()}`);
    const values: Record<(typeof ROLES)[number], string[]> = { ...o, admin };
    const fields: Field[] = ROLES.filter((r) => values[r].length > 0).map((r) => ({ var: `${r}-addresses`, type: 'list-multi', values: values[r] }));
    if (fields.length === 0) return;
    // XEP-0128 §2: a result form with a hidden FORM_TYPE; built once, a fresh copy per query.
    const form = { type: 'result' as const, fields: [formTypeField(NS.serverInfo), ...fields] };
    ctx.disco.addExtension(() => buildForm(form));
  },
});
