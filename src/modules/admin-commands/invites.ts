// Invite-only registration (docs/registration.md): admins create invitations with an ad-hoc
// command through the register module's accountLifecycle service, which also checks them. Node urn:parley:register#create-invite (not in the
// XEP-0133 namespace: 0133 defines no such command).
import { buildForm, field, findFormElement, formTypeField, type DataForm } from '../../forms/index.ts';
import type { AccountLifecycleService, AdhocCommand } from '../../core/services.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { submittedValues } from './form-step.ts';

const FORM_INVITE = 'urn:parley:register:invite:0';

export function createInvite(lifecycle: () => AccountLifecycleService, allowed: AdhocCommand['allowed']): AdhocCommand {
  const offered = (): DataForm => ({
    type: 'form',
    title: 'Create an invitation',
    instructions: ['The invitation lets its holders register in-band while registration is invite-only.'],
    fields: [
      formTypeField(FORM_INVITE),
      field('text-single', 'uses', { label: 'How many accounts it may create', required: true, values: ['1'] }),
      field('text-single', 'valid_days', { label: 'Days it stays valid', required: true, values: ['7'] }),
    ],
  });
  return {
    node: 'urn:parley:register#create-invite',
    name: 'Create a registration invitation',
    allowed,
    async execute(req) {
      if (req.stage === 0 && !findFormElement(req.command)) return { status: 'executing', payload: [buildForm(offered())], actions: { allowed: ['complete'], execute: 'complete' } };
      const v = submittedValues(req, offered());
      const uses = Number(v.value('uses'));
      const days = Number(v.value('valid_days'));
      if (!Number.isInteger(uses) || uses < 1 || uses > 1000) throw new StanzaError('bad-request', 'uses must be a whole number from 1 to 1000');
      if (!Number.isFinite(days) || days <= 0 || days > 365) throw new StanzaError('bad-request', 'valid_days must be more than 0 and at most 365');
      const inv = await lifecycle().createInvitation({ domain: req.domain, uses, days, createdBy: req.requester.bare().toString() });
      return {
        status: 'completed',
        notes: [{ text: `Invitation for ${uses} account(s), valid until ${new Date(inv.expires).toISOString()}` }],
        payload: [buildForm({ type: 'result', title: 'Invitation', fields: [formTypeField(FORM_INVITE), field('text-single', 'invite', { label: 'Invitation code', values: [inv.token] }), field('text-single', 'uri', { label: 'Registration URI', values: [inv.uri] })] })],
      };
    },
  };
}
