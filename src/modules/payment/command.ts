// Ad-hoc command urn:parley:payments:mark (XEP-0050, admins only): an operator records that money
// for an invoice arrived (settled) or was seen (pending). Stage 0 offers the form; stage 1
// validates it against that form (missing required fields: bad-request + bad-payload) and confirms.
import { buildForm, field, findFormElement, FormError, formTypeField, parseForm, validateSubmission, type DataForm } from '../../forms/index.ts';
import type { AdhocCommand } from '../../core/services.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { applyConfirmation, ConfirmationError, describeResult, parseConfirmation } from './confirmation.ts';
import type { PaymentDesk } from './desk.ts';

export const MARK_NODE = 'urn:parley:payments:mark';

function markForm(): DataForm {
  return {
    type: 'form',
    title: 'Record a payment',
    instructions: ['Record money received for an invoice. The reference (bank end-to-end id, transaction id) makes a repeated entry harmless.'],
    fields: [
      formTypeField(MARK_NODE),
      field('text-single', 'session', { label: 'Invoice session', required: true }),
      field('list-single', 'state', { label: 'State', required: true, values: ['settled'], options: [{ value: 'settled', label: 'Settled (funds received)' }, { value: 'pending', label: 'Pending (seen, not yet settled)' }] }),
      field('text-single', 'ref', { label: 'Payment reference', required: true }),
      field('text-single', 'amount', { label: 'Amount in minor units (default: the invoiced amount)' }),
      field('text-single', 'currency', { label: 'ISO 4217 currency (default: the invoice currency)' }),
    ],
  };
}

const badPayload = (text: string) => new StanzaError('bad-request', text, undefined, xml('bad-payload', { xmlns: NS.commands }));

export function markCommand(desk: PaymentDesk, allowed: AdhocCommand['allowed']): AdhocCommand {
  return {
    node: MARK_NODE,
    name: 'Record a payment',
    allowed,
    async execute(req) {
      const offered = markForm();
      const x = findFormElement(req.command);
      if (req.stage === 0 && !x) return { status: 'executing', payload: [buildForm(offered)], actions: { allowed: ['complete'], execute: 'complete' } };
      if (!x) throw badPayload('Submit the form');
      let c;
      try {
        const v = validateSubmission(offered, parseForm(x));
        c = parseConfirmation({ session: v.value('session'), state: v.value('state'), ref: v.value('ref'), amountMinor: v.value('amount'), currency: v.value('currency') });
      } catch (e) {
        if (e instanceof FormError || e instanceof ConfirmationError) throw badPayload(e.message);
        throw e;
      }
      const { result, invoice } = await applyConfirmation(desk, c, null).catch((e) => {
        throw e instanceof ConfirmationError ? badPayload(e.message) : e;
      });
      if (result === 'unknown') throw new StanzaError('item-not-found', 'No such invoice');
      const ok = result === 'applied' || result === 'duplicate' || result === 'insufficient';
      return { status: 'completed', notes: [{ type: ok ? 'info' : 'error', text: describeResult(result, invoice) }] };
    },
  };
}
