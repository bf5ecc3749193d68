// Element: builder helpers, namespace lookups, and a serializer whose output the parser reads back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Element, xml, type Node } from '../../src/xml/element.ts';
import { createStreamParser } from '../../src/xml/parser.ts';
import { defaultXmlLimits } from '../../src/xml/limits.ts';
import { escapeAttr, escapeText } from '../../src/xml/escape.ts';

/** Parses one serialized element as a WebSocket frame would carry it. */
function parseOne(s: string): Element {
  let got: Element | undefined;
  const parser = createStreamParser(
    {
      onStreamStart() {},
      onStanza(el) {
        got = el;
      },
      onStreamEnd() {},
      onError(err) {
        assert.fail(`${err.condition}: ${err.message} in ${s}`);
      },
    },
    { ...defaultXmlLimits, maxStanzaBytes: 1 << 24, maxAttributeLength: 1 << 24 },
    { framing: 'websocket' },
  );
  parser.write(s);
  assert.ok(got, `no element from ${s}`);
  return got;
}

/** Structure with adjacent text merged and empty text dropped, as XML cannot tell them apart. */
function shape(e: Element): unknown {
  const children: unknown[] = [];
  for (const c of e.children) {
    if (typeof c !== 'string') children.push(shape(c));
    else if (c !== '' && typeof children[children.length - 1] === 'string') children[children.length - 1] += c;
    else if (c !== '') children.push(c);
  }
  return { name: e.name, attrs: { ...e.attrs }, children };
}

describe('builder', () => {
  it('xml() drops undefined attributes and empty children, and flattens arrays', () => {
    const el = xml('message', { to: 'a@b', id: undefined }, xml('body', {}, 'hi'), null, false, undefined, [xml('x'), 'tail']);
    assert.equal(el.toString(), '<message to="a@b"><body>hi</body><x/>tail</message>');
    assert.equal(el.getChild('body')!.parent, el);
    // null attributes go too, empty strings stay; empties inside an array are dropped; the builder copies attrs.
    const attrs = { b: null as unknown as string, c: '' };
    const a = xml('a', attrs, [undefined, xml('y'), false] as Node[]);
    assert.equal(a.toString(), '<a c=""><y/></a>');
    assert.equal(a.getChild('y')!.parent, a);
    a.attrs.c = 'changed';
    assert.equal(attrs.c, '');
  });

  it('c(), t() and up() chain like ltx', () => {
    const iq = new Element('iq', { type: 'result' }).c('query', { xmlns: 'jabber:iq:roster' }).c('item', { jid: 'a@b' }).c('group').t('Friends').up().up().up();
    assert.equal(iq.name, 'iq');
    assert.equal(iq.toString(), '<iq type="result"><query xmlns="jabber:iq:roster"><item jid="a@b"><group>Friends</group></item></query></iq>');
    assert.equal(iq.getChild('query')!.getChild('item')!.root(), iq);
  });

  it('attr(), setAttr() and removeChildren()', () => {
    const el = xml('presence', { type: 'away' }, xml('show', {}, 'dnd'), xml('status'));
    el.setAttr('type', undefined).setAttr('id', '1');
    assert.equal(el.attr('type'), undefined);
    assert.equal(el.attr('id'), '1');
    el.removeChildren((c) => c.name === 'status');
    assert.equal(el.toString(), '<presence id="1"><show>dnd</show></presence>');
  });
});

describe('namespaces and lookups', () => {
  const stanza = xml(
    'message',
    { xmlns: 'jabber:client', 'xmlns:stream': 'http://etherx.jabber.org/streams' },
    xml('body', {}, 'a', 'b'),
    xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }),
    xml('stream:error', {}, xml('conflict', { xmlns: 'urn:ietf:params:xml:ns:xmpp-streams' })),
  );

  it('getNS() follows own, inherited and prefixed declarations', () => {
    assert.equal(stanza.getNS(), 'jabber:client');
    assert.equal(stanza.getChild('body')!.getNS(), 'jabber:client');
    assert.equal(stanza.getChild('active')!.getNS(), 'http://jabber.org/protocol/chatstates');
    assert.equal(stanza.getChild('error')!.getNS(), 'http://etherx.jabber.org/streams');
    assert.equal(stanza.getChild('error')!.localName, 'error');
  });

  it('getChild(), getChildren(), getChildByNS(), getChildText() and is()', () => {
    assert.ok(stanza.getChild('active', 'http://jabber.org/protocol/chatstates'));
    assert.equal(stanza.getChild('active', 'jabber:client'), undefined);
    assert.equal(stanza.getChildren('body', 'jabber:client').length, 1);
    assert.equal(stanza.getChildByNS('urn:ietf:params:xml:ns:xmpp-streams'), undefined);
    assert.equal(stanza.getChild('error')!.getChildByNS('urn:ietf:params:xml:ns:xmpp-streams')!.name, 'conflict');
    assert.equal(stanza.getChildText('body'), 'ab');
    assert.equal(stanza.getChildText('nope'), undefined);
    assert.ok(stanza.is('message', 'jabber:client'));
    assert.ok(!stanza.is('message', 'jabber:server'));
  });

  it('clone() detaches and makes the in-scope namespace explicit, prefixed or not', () => {
    const body = stanza.getChild('body')!.clone();
    assert.equal(body.parent, null);
    assert.equal(body.getNS(), 'jabber:client');
    const error = stanza.getChild('error')!.clone();
    assert.equal(error.getNS(), 'http://etherx.jabber.org/streams');
    assert.equal(error.getChildElements()[0].parent, error);
  });
});

describe('serializer', () => {
  it('escapes text and attribute values', () => {
    assert.equal(escapeText(`a<b>&c"'\r`), `a&lt;b&gt;&amp;c"'&#13;`);
    assert.equal(escapeAttr(`a<b>&c"'\t\n\r`), 'a&lt;b&gt;&amp;c&quot;&apos;&#9;&#10;&#13;');
    assert.equal(xml('a', { v: `"x" & 'y'` }, ']]> <z>').toString(), '<a v="&quot;x&quot; &amp; &apos;y&apos;">]]&gt; &lt;z&gt;</a>');
  });

  it('round-trips special characters through the parser', () => {
    const el = xml('message', { xmlns: 'jabber:client', note: "tab\there\nnew\r\nline <&>\"'" }, xml('body', {}, 'a\r\nb\rc ]]> &amp; 😀 <x/>'));
    assert.deepEqual(shape(parseOne(el.toString())), shape(el));
  });

  // XML 1.0 §2.2 Char, minus nothing: any of these must survive serialize → parse.
  const xmlChar = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('<', '>', '&', '"', "'", '\t', '\n', '\r', ']', ' ', 'a', 'é', '😀') },
    { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xfffd }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  );
  const text = fc.string({ unit: xmlChar, maxLength: 12 });
  const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9._-]{0,6}$/).filter((n) => !n.toLowerCase().startsWith('xml'));
  const attrs = fc.dictionary(name, text, { maxKeys: 4 });
  const { tree } = fc.letrec<{ tree: Element; node: Node }>((tie) => ({
    tree: fc.tuple(name, attrs, fc.array(tie('node'), { maxLength: 4 })).map(([n, a, children]) => new Element(n, a, children)),
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, tie('tree')),
  }));

  it('serialize → parse gives back the same tree, for any valid characters', () => {
    fc.assert(
      fc.property(tree, (el) => {
        el.attrs.xmlns = 'urn:test';
        assert.deepEqual(shape(parseOne(el.toString())), shape(el));
      }),
      { numRuns: 300, interruptAfterTimeLimit: 1000, markInterruptAsFailure: false },
    );
  });
});
