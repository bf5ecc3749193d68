// The shape of most XEP-0133 commands: stage 0 returns a form, stage 1 validates the submission
// against that same form and acts. Form problems become bad-request + bad-payload (XEP-0050 §4.6).
import { buildForm, findFormElement, FormError, formTypeField, parseForm, validateSubmission, type DataForm, type Field, type FormValues } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { AdhocCommand, AdhocRequest, AdhocResult } from '../../core/services.ts';

export interface FormCommandSpec {
  /** Last part of the node: http://jabber.org/protocol/admin#<id>. */
  id: string;
  name: string;
  title: string;
  instructions: string;
  fields: (req: AdhocRequest) => Field[];
  /** Act on the validated values; return the completion (notes, a result form). */
  submit(values: FormValues, req: AdhocRequest): Promise<AdhocResult> | AdhocResult;
}

export const adminNode = (id: string) => `${NS.admin}#${id}`;

export function adminForm(type: 'form' | 'result', title: string | undefined, instructions: string | undefined, fields: Field[]): DataForm {
  return { type, title, instructions: instructions ? [instructions] : undefined, fields: [formTypeField(NS.admin), ...fields] };
}

/** The submitted values, validated against the form the command offered. */
export function submittedValues(req: AdhocRequest, offered: DataForm): FormValues {
  const x = findFormElement(req.command);
  if (!x) throw new StanzaError('bad-request', 'Submit the form', undefined, xml('bad-payload', { xmlns: NS.commands }));
  try {
    return validateSubmission(offered, parseForm(x));
  } catch (e) {
    if (e instanceof FormError) throw new StanzaError('bad-request', e.message, undefined, xml('bad-payload', { xmlns: NS.commands }));
    throw e;
  }
}

export function formCommand(spec: FormCommandSpec, allowed: AdhocCommand['allowed']): AdhocCommand {
  return {
    node: adminNode(spec.id),
    name: spec.name,
    allowed,
    async execute(req) {
      const offered = adminForm('form', spec.title, spec.instructions, spec.fields(req));
      // A form submitted with the very first request (clients that know the command) is accepted too.
      if (req.stage === 0 && !findFormElement(req.command)) return { status: 'executing', payload: [buildForm(offered)], actions: { allowed: ['complete'], execute: 'complete' } };
      return spec.submit(submittedValues(req, offered), req);
    },
  };
}
