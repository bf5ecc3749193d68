// XEP-0004 Data Forms: parse, build and validate jabber:x:data forms. No server state; depends
// only on src/xml and src/jid, so every module (and any client code) can use it.
export * from './types.ts';
export { NS_DATA, parseForm, findFormElement, formTypeOf } from './parse.ts';
export { buildForm, field, formTypeField, textLines } from './build.ts';
export { validateSubmission, formValues, FormValues } from './validate.ts';
