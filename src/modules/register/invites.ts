// Invite-only in-band registration (docs/registration.md): an admin creates an invitation (ad-hoc
// command create-invite, admin-commands module); the registration form then has a required
// 'invite' field, and an account is only created with a valid, unexpired, unused invitation. Only
// the sha-256 of a token is stored, so a database dump holds no usable invitation.
import { createHash, randomBytes } from 'node:crypto';
import { formValues, type DataForm } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { RegistrationStore } from '../../storage/types.ts';

export const inviteKey = (token: string) => createHash('sha256').update(token.trim()).digest('base64url');

/** A new invitation: the token to hand out (128 bits) and the XEP-0401 style registration URI. */
export async function createInvitation(store: RegistrationStore, o: { domain: string; uses: number; days: number; createdBy: string; now?: number }): Promise<{ token: string; uri: string; expires: number }> {
  const token = randomBytes(16).toString('base64url');
  const expires = (o.now ?? Date.now()) + o.days * 86_400_000;
  await store.createInvite({ token: inviteKey(token), domain: o.domain, uses: o.uses, expires, createdBy: o.createdBy });
  return { token, uri: `xmpp:${o.domain}?register;preauth=${token}`, expires };
}

/** Use the invitation the form carries, or refuse: forbidden (cancel), the registration stops here. */
export async function useInvitation(store: RegistrationStore, form: DataForm | undefined, domain: string): Promise<void> {
  if (!form) throw new StanzaError('not-acceptable', 'Registration here needs an invitation: fill in the registration form', 'modify');
  const token = formValues(form).value('invite');
  if (!token) throw new StanzaError('not-acceptable', 'The invitation code is required', 'modify');
  if (!(await store.useInvite(inviteKey(token), domain, Date.now()))) throw new StanzaError('forbidden', 'The invitation is unknown, used up or expired');
}
