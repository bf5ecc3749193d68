// XEP-0158 §3.3: the answer to a room-entry challenge, an iq set to the challenger (the domain)
// carrying <captcha xmlns='urn:xmpp:captcha'> with the submitted form. Right: empty result and
// the user may join; wrong, expired or someone else's: not-acceptable (§3.4).
import { findFormElement, FormError, formValues, parseForm } from '../../forms/index.ts';
import type { IqHandler } from '../../router/iq.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { RoomChallenges } from './room-captcha.ts';

export function captchaAnswerHandler(rc: RoomChallenges): IqHandler {
  return ({ payload, from }) => {
    const x = findFormElement(payload);
    if (!x) throw new StanzaError('bad-request', 'Submit the challenge form');
    let form;
    try {
      form = parseForm(x);
    } catch (e) {
      if (e instanceof FormError) throw new StanzaError('bad-request', e.message);
      throw e;
    }
    if (form.type !== 'submit') throw new StanzaError('bad-request', 'Submit the challenge form');
    const values = formValues(form);
    if (!values.value('challenge') || !values.value('qa')) throw new StanzaError('bad-request', 'The form misses challenge or qa');
    if (!rc.answer(from.bare().toString(), values)) throw new StanzaError('not-acceptable', 'The answer is wrong or the challenge expired; join again for a new one');
  };
}
