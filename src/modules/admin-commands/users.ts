// XEP-0133 §4.1 add user, §4.2 delete user, §4.7 change user password: account changes through
// the accountLifecycle service, so sessions and stored data follow (docs/registration.md).
import { field } from '../../forms/index.ts';
import { AccountError } from '../../accounts/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Jid } from '../../jid/index.ts';
import type { AccountLifecycleService, AdhocCommand } from '../../core/services.ts';
import { formCommand } from './form-step.ts';

export interface UserCommandDeps {
  lifecycle: () => AccountLifecycleService;
  accountExists(username: string, domain: string): Promise<boolean>;
  isLocalDomain(domain: string): boolean;
}

/** An account JID the command may act on: a bare JID at one of our domains. */
function localAccount(j: Jid | undefined, deps: UserCommandDeps): Jid {
  if (!j || !j.local) throw new StanzaError('bad-request', 'Give the bare JID of an account');
  if (!deps.isLocalDomain(j.domain)) throw new StanzaError('not-allowed', `${j.domain} is not hosted here`);
  return j.bare();
}

export function addUser(deps: UserCommandDeps, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'add-user',
    name: 'Add User',
    title: 'Adding a User',
    instructions: 'Fill out this form to add a user.',
    fields: () => [
      field('jid-single', 'accountjid', { label: 'The Jabber ID for the account to be added', required: true }),
      field('text-private', 'password', { label: 'The password for this account', required: true }),
      field('text-private', 'password-verify', { label: 'Retype password' }),
      field('text-single', 'email', { label: 'Email address' }),
      field('text-single', 'given_name', { label: 'Given name' }),
      field('text-single', 'surname', { label: 'Family name' }),
    ],
    async submit(v) {
      const account = localAccount(v.jid('accountjid'), deps);
      const password = v.value('password') ?? '';
      if (v.has('password-verify') && v.value('password-verify') !== password) throw new StanzaError('not-acceptable', 'The passwords differ');
      // XEP-0133 §5: a user that exists already is a conflict.
      if (await deps.accountExists(account.local, account.domain)) throw new StanzaError('conflict', `${account} already exists`);
      try {
        await deps.lifecycle().create(account.local, account.domain, password);
      } catch (e) {
        if (e instanceof AccountError) throw new StanzaError((await deps.accountExists(account.local, account.domain)) ? 'conflict' : 'not-acceptable', e.message);
        throw e;
      }
      return { status: 'completed', notes: [{ text: `Created ${account}` }] };
    },
  }, allowed);
}

export function deleteUser(deps: UserCommandDeps, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'delete-user',
    name: 'Delete User',
    title: 'Deleting a User',
    instructions: 'Fill out this form to delete a user.',
    fields: () => [field('jid-multi', 'accountjids', { label: 'The Jabber ID(s) to delete', required: true })],
    async submit(v) {
      const targets = v.jids('accountjids').map((j) => localAccount(j, deps));
      const notes: Array<{ type?: 'info' | 'warn'; text: string }> = [];
      for (const j of targets) {
        // §4.2: ends the user's sessions and destroys its data; the name is quarantined for IBR.
        const removed = await deps.lifecycle().remove(j.local, j.domain, { quarantine: true });
        notes.push(removed ? { text: `Deleted ${j}` } : { type: 'warn', text: `No such account: ${j}` });
      }
      return { status: 'completed', notes };
    },
  }, allowed);
}

export function changeUserPassword(deps: UserCommandDeps, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'change-user-password',
    name: 'Change User Password',
    title: 'Changing a User Password',
    instructions: 'Fill out this form to change a user\'s password.',
    fields: () => [
      field('jid-single', 'accountjid', { label: 'The Jabber ID for this account', required: true }),
      field('text-private', 'password', { label: 'The password for this account', required: true }),
    ],
    async submit(v) {
      const account = localAccount(v.jid('accountjid'), deps);
      if (!(await deps.accountExists(account.local, account.domain))) throw new StanzaError('item-not-found', `No such account: ${account}`);
      try {
        // The user's sessions end with stream error reset: they log in again with the new password.
        await deps.lifecycle().changePassword(account.local, account.domain, v.value('password') ?? '');
      } catch (e) {
        if (e instanceof AccountError) throw new StanzaError('not-acceptable', e.message);
        throw e;
      }
      return { status: 'completed', notes: [{ text: `Password changed for ${account}` }] };
    },
  }, allowed);
}
