// The XEP-0004 data form of a MAM query (XEP-0313 §4.1): parse what a client submits, and the
// form the server offers on an iq get (§4.1.5).
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export interface MamFilter {
  with?: Jid;
  /** ms since epoch, inclusive. */
  start?: number;
  end?: number;
  afterId?: string;
  beforeId?: string;
  ids?: string[];
  /** 'include-groupchat' (§4.1.4), when the client gave it. */
  includeGroupchat?: boolean;
}

// XEP-0082 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD, TZD being Z or ±hh:mm.
const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** ms since epoch of an XEP-0082 DateTime; fractions finer than a millisecond are cut. */
export function parseDateTime(text: string): number | null {
  const m = DATETIME.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3]}`);
  return Number.isFinite(ms) ? ms : null;
}

function values(field: Element): string[] {
  return field.getChildren('value', NS.dataForms).map((v) => v.getText());
}

function single(field: Element, name: string): string | undefined {
  const vs = values(field);
  if (vs.length > 1) throw new StanzaError('bad-request', `Field '${name}' takes one value`);
  const v = vs[0]?.trim();
  return v === '' ? undefined : v;
}

function time(field: Element, name: string): number | undefined {
  const v = single(field, name);
  if (v === undefined) return undefined;
  const t = parseDateTime(v);
  if (t === null) throw new StanzaError('bad-request', `Field '${name}' must be an XEP-0082 DateTime`);
  return t;
}

/**
 * The filter in a submitted query form (<x xmlns='jabber:x:data' type='submit'/>); no form means
 * no filter. §4.1.5: a field we do not know is feature-not-implemented.
 */
export function parseQueryForm(x: Element | undefined, maxIds: number): MamFilter {
  const filter: MamFilter = {};
  if (!x) return filter;
  if (x.attrs.type !== undefined && x.attrs.type !== 'submit') throw new StanzaError('bad-request', "The query form must be of type 'submit'");
  for (const field of x.getChildren('field', NS.dataForms)) {
    const name = field.attrs.var;
    switch (name) {
      case 'FORM_TYPE': {
        const v = single(field, name);
        if (v !== undefined && v !== NS.mam) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS.mam}`);
        break;
      }
      case 'with': {
        const v = single(field, name);
        if (v === undefined) break;
        const j = tryParseJid(v);
        if (!j) throw new StanzaError('jid-malformed', "Field 'with' is not a valid JID");
        filter.with = j;
        break;
      }
      case 'start':
      case 'end': {
        const t = time(field, name);
        if (t !== undefined) filter[name] = t;
        break;
      }
      case 'after-id':
      case 'before-id': {
        const v = single(field, name);
        if (v !== undefined) filter[name === 'after-id' ? 'afterId' : 'beforeId'] = v;
        break;
      }
      case 'ids': {
        const ids = values(field).map((v) => v.trim()).filter((v) => v !== '');
        if (ids.length > maxIds) throw new StanzaError('policy-violation', `At most ${maxIds} ids per query`);
        filter.ids = [...new Set(ids)];
        break;
      }
      case 'include-groupchat': {
        // XEP-0004 §3.3 boolean: 0, 1, false, true.
        const v = single(field, name);
        if (v === undefined) break;
        if (v !== 'true' && v !== '1' && v !== 'false' && v !== '0') throw new StanzaError('bad-request', "Field 'include-groupchat' is a boolean");
        filter.includeGroupchat = v === 'true' || v === '1';
        break;
      }
      default:
        throw new StanzaError('feature-not-implemented', `Unknown query field '${name ?? ''}'`);
    }
  }
  return filter;
}

/** §4.1.5: the fields this server supports; none is marked required (§4.1). */
export function queryFormTemplate(): Element {
  return xml('x', { xmlns: NS.dataForms, type: 'form' },
    xml('field', { type: 'hidden', var: 'FORM_TYPE' }, xml('value', {}, NS.mam)),
    xml('field', { type: 'jid-single', var: 'with' }),
    xml('field', { type: 'text-single', var: 'start' }),
    xml('field', { type: 'text-single', var: 'end' }),
    xml('field', { type: 'text-single', var: 'before-id' }),
    xml('field', { type: 'text-single', var: 'after-id' }),
    // §4.1.5: ids is list-multi with an open XEP-0122 validation, never listing the ids.
    xml('field', { type: 'list-multi', var: 'ids' },
      xml('validate', { xmlns: 'http://jabber.org/protocol/xdata-validate', datatype: 'xs:string' }, xml('open'))),
    // §4.1.4: groupchat (archived by muc-pam for rooms joined with the bare JID) only on request.
    xml('field', { type: 'boolean', var: 'include-groupchat' }),
  );
}
