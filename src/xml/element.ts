// A small, typed XML element tree used for stanzas. Namespaces are carried as
// ordinary `xmlns` attributes (as on the wire), which is how XMPP code reasons about them.
import { escapeAttr, escapeText } from './escape.ts';

export type Attrs = Record<string, string>;
export type Node = Element | string;

export class Element {
  name: string;
  attrs: Attrs;
  children: Node[];
  parent: Element | null = null;

  constructor(name: string, attrs: Attrs = {}, children: Node[] = []) {
    this.name = name;
    this.attrs = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) this.attrs[k] = String(v);
    this.children = [];
    for (const c of children) this.append(c);
  }

  /** Namespace in effect for this element (own xmlns, prefixed, or inherited). */
  getNS(): string | undefined {
    const colon = this.name.indexOf(':');
    // Namespaces in XML §3: the xml prefix is bound without a declaration.
    if (colon === 3 && this.name.startsWith('xml:')) return 'http://www.w3.org/XML/1998/namespace';
    const key = colon >= 0 ? `xmlns:${this.name.slice(0, colon)}` : 'xmlns';
    for (let e: Element | null = this; e; e = e.parent) if (key in e.attrs) return e.attrs[key];
    return undefined;
  }

  /** Local name without prefix. */
  get localName(): string {
    const colon = this.name.indexOf(':');
    return colon >= 0 ? this.name.slice(colon + 1) : this.name;
  }

  is(name: string, xmlns?: string): boolean {
    return this.localName === name && (xmlns === undefined || this.getNS() === xmlns);
  }

  attr(name: string): string | undefined {
    return this.attrs[name];
  }

  setAttr(name: string, value: string | undefined): this {
    if (value === undefined) delete this.attrs[name];
    else this.attrs[name] = value;
    return this;
  }

  append(child: Node): this {
    if (child instanceof Element) child.parent = this;
    this.children.push(child);
    return this;
  }

  /** Builder: add a child element and return it. */
  c(name: string, attrs: Attrs = {}): Element {
    const child = new Element(name, attrs);
    this.append(child);
    return child;
  }

  /** Builder: add text and return this. */
  t(text: string): this {
    this.children.push(text);
    return this;
  }

  /** Builder: the parent (or this at the root). */
  up(): Element {
    return this.parent ?? this;
  }

  root(): Element {
    let e: Element = this;
    while (e.parent) e = e.parent;
    return e;
  }

  getChildElements(): Element[] {
    return this.children.filter((c): c is Element => c instanceof Element);
  }

  getChild(name: string, xmlns?: string): Element | undefined {
    for (const c of this.children) if (c instanceof Element && c.is(name, xmlns)) return c;
    return undefined;
  }

  getChildren(name: string, xmlns?: string): Element[] {
    return this.children.filter((c): c is Element => c instanceof Element && c.is(name, xmlns));
  }

  /** First child element in the given namespace, whatever its name. */
  getChildByNS(xmlns: string): Element | undefined {
    for (const c of this.children) if (c instanceof Element && c.getNS() === xmlns) return c;
    return undefined;
  }

  getText(): string {
    let s = '';
    for (const c of this.children) if (typeof c === 'string') s += c;
    return s;
  }

  getChildText(name: string, xmlns?: string): string | undefined {
    return this.getChild(name, xmlns)?.getText();
  }

  removeChildren(pred: (e: Element) => boolean): this {
    this.children = this.children.filter((c) => !(c instanceof Element && pred(c)));
    return this;
  }

  /** Deep copy, detached from any parent; in-scope namespace is made explicit on the copy root. */
  clone(): Element {
    const copy = new Element(this.name, { ...this.attrs });
    const colon = this.name.indexOf(':');
    const key = colon >= 0 ? `xmlns:${this.name.slice(0, colon)}` : 'xmlns';
    if (this.parent && copy.attrs[key] === undefined) {
      const ns = this.getNS();
      if (ns !== undefined) copy.attrs[key] = ns;
    }
    for (const c of this.children) copy.append(c instanceof Element ? cloneInto(c) : c);
    return copy;
  }

  toString(): string {
    return serialize(this);
  }
}

function cloneInto(e: Element): Element {
  const copy = new Element(e.name, { ...e.attrs });
  for (const c of e.children) copy.append(c instanceof Element ? cloneInto(c) : c);
  return copy;
}

export function serialize(e: Element): string {
  let s = '<' + e.name;
  for (const k in e.attrs) s += ' ' + k + '="' + escapeAttr(e.attrs[k]) + '"';
  if (e.children.length === 0) return s + '/>';
  s += '>';
  for (const c of e.children) s += typeof c === 'string' ? escapeText(c) : serialize(c);
  return s + '</' + e.name + '>';
}

/** Hyperscript-style builder: xml('message', {to}, xml('body', {}, 'hi')). */
export function xml(name: string, attrs: Record<string, string | undefined> | null = {}, ...children: (Node | Node[] | undefined | null | false)[]): Element {
  // Straight into the element's own attrs and children: no intermediate copies (a roster result
  // builds 2,000 elements, a MAM page 200).
  const el = new Element(name);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v !== undefined && v !== null) el.attrs[k] = String(v);
    }
  }
  for (const c of children) {
    if (Array.isArray(c)) {
      for (const d of c as Array<Node | undefined | null | false>) if (d !== undefined && d !== null && d !== false) el.append(d);
    } else if (c !== undefined && c !== null && c !== false) el.append(c);
  }
  return el;
}
