// XEP-0004 Data Forms as plain values. A DataForm is what the wire says, nothing more: parsing
// and building are lossless for the parts XEP-0004 defines (§3), so a form can be read,
// changed and sent back without knowing the protocol that carries it.

/** XEP-0004 §3.3 field types. */
export type FieldType =
  | 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single'
  | 'list-multi' | 'list-single' | 'text-multi' | 'text-private' | 'text-single';

export const FIELD_TYPES: readonly FieldType[] = [
  'boolean', 'fixed', 'hidden', 'jid-multi', 'jid-single', 'list-multi', 'list-single', 'text-multi', 'text-private', 'text-single',
];

/** XEP-0004 §3.1 form types. */
export type FormType = 'form' | 'submit' | 'cancel' | 'result';

export const FORM_TYPES: readonly FormType[] = ['form', 'submit', 'cancel', 'result'];

export interface FieldOption {
  label?: string;
  value: string;
}

export interface Field {
  /** Absent only on 'fixed' fields (§3.2). */
  var?: string;
  /** Absent means "infer from context"; for a form of type 'form' that is text-single (§3.2). */
  type?: FieldType;
  label?: string;
  desc?: string;
  required?: boolean;
  values: string[];
  /** Only for list-single and list-multi (§3.2). */
  options?: FieldOption[];
}

export interface DataForm {
  type: FormType;
  title?: string;
  /** §3.1: several <instructions/> are allowed, one line each. */
  instructions?: string[];
  fields: Field[];
  /** §3.4: table header of a multi-item result. */
  reported?: Field[];
  items?: Field[][];
}

/** The hidden field that names the form's "using protocol" (XEP-0068). */
export const FORM_TYPE_VAR = 'FORM_TYPE';

/** Thrown for a malformed form or an invalid submission; carries the field at fault. */
export class FormError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'FormError';
  }
}
