// The structural half of the hardened parser: turns tokens into stream events. It resolves
// namespaces, builds each stanza as a detached Element whose namespace is explicit, and applies the
// framing: a TCP stream's root (RFC 6120 §4.2, §4.4) or WebSocket frames (RFC 7395 §3.3).
import { Element } from './element.ts';
import { NS } from './namespaces.ts';
import { XmlParseError, type StreamParserEvents } from './stream-parser.ts';
import { HAS_NS_DECL, HAS_PREFIXED_ATTR, type TokenSink } from './parser-tokenizer.ts';
import { XML_NS, declare, lookup, prefixEnd, rootScope, type Scope } from './parser-namespaces.ts';

export type Framing = 'stream' | 'websocket';

function notWellFormed(msg: string): never {
  throw new XmlParseError('not-well-formed', msg);
}

export class TreeBuilder implements TokenSink {
  /** True while an event handler runs: an exception then is the handler's, not a parse error. */
  inHandler = false;

  /** Open elements of the stanza being built; [0] is the stanza itself. */
  private readonly open: Element[] = [];
  /** Scope of each open element's parent, to restore on its end. */
  private readonly saved: Scope[] = [];
  private scope: Scope;
  private rootOpen = false;

  constructor(
    private readonly events: StreamParserEvents,
    private readonly framing: Framing,
  ) {
    // RFC 7395 §3.3.3: each frame is a document of its own; stanzas without a namespace are
    // taken as jabber:client, the namespace of the stream they would be on.
    this.scope = rootScope(framing === 'websocket' ? NS.client : undefined);
  }

  startElement(name: string, attrs: Record<string, string>, flags: number): void {
    const parent = this.scope;
    const isRoot = this.framing === 'stream' && !this.rootOpen;
    const scope = flags & HAS_NS_DECL ? declare(parent, attrs, isRoot) : parent;
    const open = this.open;
    const stanza: Element | undefined = open[0];

    // Namespaces §5 and the detached-stanza rule: a binding made on the stream root is copied
    // onto the stanza so that getNS() keeps working once the stanza leaves the stream.
    const colon = prefixEnd(name);
    if (colon !== -1) {
      const prefix = name.slice(0, colon);
      if (prefix === 'xmlns') notWellFormed('elements cannot have the xmlns prefix');
      if (prefix !== 'xml') {
        const where = lookup(scope, prefix);
        if (where === null) notWellFormed(`unbound namespace prefix ${JSON.stringify(prefix)}`);
        if (where.outer && !isRoot) this.repeatOnStanza(stanza ?? attrs, prefix, where);
      }
    }
    if (flags & HAS_PREFIXED_ATTR) this.checkAttributes(attrs, scope, isRoot, stanza);

    this.saved.push(parent);
    this.scope = scope;
    if (isRoot) {
      this.rootOpen = true;
      this.inHandler = true;
      this.events.onStreamStart(name, attrs);
      this.inHandler = false;
      return;
    }
    // Likewise the default namespace, for the stanza and any unprefixed element inside it.
    if (colon === -1 && scope.defaultOuter && scope.defaultNS !== undefined) {
      const top = stanza?.attrs ?? attrs;
      if (!Object.hasOwn(top, 'xmlns')) top.xmlns = scope.defaultNS;
    }
    const el = new Element(name);
    el.attrs = attrs;
    if (stanza !== undefined) {
      const up = open[open.length - 1];
      up.children.push(el);
      el.parent = up;
    }
    open.push(el);
  }

  endElement(): void {
    this.scope = this.saved.pop()!;
    const open = this.open;
    if (open.length === 0) {
      // Only the stream root ends with nothing open (RFC 6120 §4.4).
      this.inHandler = true;
      this.events.onStreamEnd();
      this.inHandler = false;
      return;
    }
    const el = open.pop()!;
    if (open.length === 0) this.deliver(el);
  }

  text(s: string): void {
    this.open[this.open.length - 1].children.push(s);
  }

  private deliver(el: Element): void {
    this.inHandler = true;
    // RFC 7395 §3.3.2: <open/> and <close/> stand in for the stream header and footer.
    const framing = this.framing === 'websocket' && el.getNS() === NS.framing;
    if (framing && el.localName === 'open') this.events.onStreamStart('open', el.attrs);
    else if (framing && el.localName === 'close') this.events.onStreamEnd();
    else this.events.onStanza(el);
    this.inHandler = false;
  }

  /** Prefixed attributes must be bound, and no two may have the same expanded name (Namespaces §6.3). */
  private checkAttributes(attrs: Record<string, string>, scope: Scope, isRoot: boolean, stanza: Element | undefined): void {
    let seen: Set<string> | null = null;
    for (const name in attrs) {
      const colon = prefixEnd(name);
      if (colon === -1) continue;
      const prefix = name.slice(0, colon);
      if (prefix === 'xmlns') continue;
      let uri = XML_NS;
      if (prefix !== 'xml') {
        const where = lookup(scope, prefix);
        if (where === null) notWellFormed(`unbound namespace prefix ${JSON.stringify(prefix)}`);
        uri = where.prefixes!.get(prefix)!;
        if (where.outer && !isRoot) this.repeatOnStanza(stanza ?? attrs, prefix, where);
      }
      const expanded = `${uri} ${name.slice(colon + 1)}`;
      if ((seen ??= new Set()).has(expanded)) notWellFormed(`duplicate attribute ${JSON.stringify(name)}`);
      seen.add(expanded);
    }
  }

  private repeatOnStanza(target: Element | Record<string, string>, prefix: string, where: Scope): void {
    const attrs = target instanceof Element ? target.attrs : target;
    const key = `xmlns:${prefix}`;
    if (!Object.hasOwn(attrs, key)) attrs[key] = where.prefixes!.get(prefix)!;
  }
}
