// The data forms of XEP-0077: registration (FORM_TYPE jabber:iq:register, §5), password change
// (jabber:iq:register:changepassword, §3.3) and cancellation (jabber:iq:register:cancel, §3.2).
import { buildForm, field, formTypeField, type DataForm, type Field } from '../../forms/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export const FORM_REGISTER = 'jabber:iq:register';
export const FORM_CHANGE_PASSWORD = 'jabber:iq:register:changepassword';
export const FORM_CANCEL = 'jabber:iq:register:cancel';

/** A CAPTCHA challenge as XEP-0158 §4 puts it into the registration form. */
export interface FormCaptcha {
  id: string;
  /** The id of the get that asked (XEP-0158 'sid'). */
  sid: string;
  fields: Field[];
  /** XEP-0158 'answers': how many fields must be answered (default: all of them). */
  answers?: number;
}

export function registrationForm(o: { instructions: string; requireEmail: boolean; captcha?: FormCaptcha; invite?: boolean }): DataForm {
  const c = o.captcha;
  return {
    type: 'form',
    title: 'Account registration',
    instructions: [o.instructions],
    fields: [
      formTypeField(FORM_REGISTER),
      // XEP-0158 §4: hidden challenge id, sid and number of answers, then the challenge itself.
      ...(c ? [
        field('hidden', 'challenge', { values: [c.id] }),
        field('hidden', 'sid', { values: [c.sid] }),
        field('hidden', 'answers', { values: [String(c.answers ?? c.fields.length)] }),
        ...c.fields,
      ] : []),
      field('text-single', 'username', { label: 'Username', required: true }),
      field('text-private', 'password', { label: 'Password', required: true }),
      ...(o.requireEmail ? [field('text-single', 'email', { label: 'Email address', required: true })] : []),
      // Invite-only registration (docs/registration.md): the token of an admin's invitation.
      ...(o.invite ? [field('text-single', 'invite', { label: 'Invitation code', required: true })] : []),
    ],
  };
}

export function changePasswordForm(o: { username: string; requireOld: boolean }): DataForm {
  return {
    type: 'form',
    title: 'Password change',
    instructions: ['Use this form to change your password.'],
    fields: [
      formTypeField(FORM_CHANGE_PASSWORD),
      field('text-single', 'username', { label: 'Username', required: true, values: [o.username] }),
      field('text-private', 'old_password', { label: 'Old password', required: o.requireOld }),
      field('text-private', 'password', { label: 'New password', required: true }),
    ],
  };
}

export function cancelForm(o: { username: string }): DataForm {
  return {
    type: 'form',
    title: 'Cancel registration',
    instructions: ['Use this form to delete your account.'],
    fields: [
      formTypeField(FORM_CANCEL),
      field('text-single', 'username', { label: 'Username', required: true, values: [o.username] }),
      field('text-private', 'password', { label: 'Password', required: true }),
    ],
  };
}

/** A form wrapped as XEP-0077 carries it: <query xmlns='jabber:iq:register'><x/></query>. */
export function formQuery(form: DataForm): Element {
  return xml('query', { xmlns: NS.register }, buildForm(form));
}
