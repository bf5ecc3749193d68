// Proactive invoice request (proto-XEP §"Proactive Invoice Request"): <get-invoice service target/>
// to the server's domain. Unknown service → bad-request; a gate Parley has off → feature-not-implemented;
// a free target → item-not-found; otherwise the open invoice for (payer, service, target) or a new one.
import { tryParseJid } from '../../jid/index.ts';
import type { IqHandler } from '../../router/iq.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { PaymentsService } from '../../core/services.ts';
import { PaymentError } from './xml.ts';

const REGISTRY = new Set(['muc-entry', 'file-upload', 'message', 'registration']);

export function getInvoiceHandler(gates: PaymentsService): IqHandler {
  return async ({ payload, from }) => {
    const service = payload.attrs.service ?? '';
    if (!REGISTRY.has(service)) throw new StanzaError('bad-request', `Unknown service "${service}"`);
    if (service !== 'muc-entry') throw new StanzaError('feature-not-implemented', service === 'registration' ? 'The registration fee is invoiced by the registration form' : `Parley does not charge for ${service}`);
    const room = tryParseJid(payload.attrs.target ?? '');
    if (!room || !room.local || room.resource) throw new StanzaError('bad-request', 'target must be a room JID');
    if (!gates.charges('muc-entry', room.toString())) throw new StanzaError('item-not-found', 'Entry to this room is free');
    try {
      const r = await gates.enterRoom({ room, user: from, affiliation: 'none' });
      if (r === null) throw new StanzaError('item-not-found', 'You may already enter this room');
      return r;
    } catch (e) {
      // The decline carries the invoice: the proactive answer is that invoice alone.
      if (e instanceof PaymentError && e.invoice) return e.invoice;
      throw e;
    }
  };
}
