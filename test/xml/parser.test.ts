// The hardened stream parser: framing, namespaces, chunking, and every refusal RFC 6120 asks for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStreamParser, type Framing } from '../../src/xml/parser.ts';
import { defaultXmlLimits, type XmlLimits } from '../../src/xml/limits.ts';
import type { Element } from '../../src/xml/element.ts';
import type { ParserErrorCondition, XmlParseError } from '../../src/xml/stream-parser.ts';

const HEADER =
  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";
const STREAM_NS = 'http://etherx.jabber.org/streams';

interface Outcome {
  starts: { name: string; attrs: Record<string, string> }[];
  stanzas: Element[];
  ends: number;
  errors: XmlParseError[];
  /** Every event in order, to check that nothing follows an error. */
  log: string[];
}

function collect(chunks: (string | Buffer)[], opts: { limits?: Partial<XmlLimits>; framing?: Framing; end?: boolean } = {}): Outcome {
  const out: Outcome = { starts: [], stanzas: [], ends: 0, errors: [], log: [] };
  const parser = createStreamParser(
    {
      onStreamStart(name, attrs) {
        out.starts.push({ name, attrs });
        out.log.push(`start ${name}`);
      },
      onStanza(el) {
        out.stanzas.push(el);
        out.log.push(`stanza ${el}`);
      },
      onStreamEnd() {
        out.ends++;
        out.log.push('end');
      },
      onError(err) {
        out.errors.push(err);
        out.log.push(`error ${err.condition}`);
      },
    },
    { ...defaultXmlLimits, ...opts.limits },
    { framing: opts.framing },
  );
  for (const c of chunks) parser.write(c);
  if (opts.end !== false) parser.end();
  return out;
}

function errorOf(input: string | Buffer | (string | Buffer)[], limits?: Partial<XmlLimits>): ParserErrorCondition | undefined {
  const out = collect(Array.isArray(input) ? input : [input], { limits });
  assert.ok(out.errors.length <= 1, 'at most one error');
  if (out.errors.length) assert.equal(out.log[out.log.length - 1], `error ${out.errors[0].condition}`, 'nothing after the error');
  return out.errors[0]?.condition;
}

function bytewise(s: string | Buffer): Buffer[] {
  return [...Buffer.from(s)].map((b) => Buffer.from([b]));
}

describe('stream framing (RFC 6120 §4)', () => {
  it('reports the stream header with its raw attributes, each stanza, and the end', () => {
    const out = collect([`<?xml version='1.0'?>${HEADER}<presence/><message to='a@b'><body>hi</body></message></stream:stream>`]);
    assert.deepEqual(out.errors, []);
    assert.deepEqual(out.starts, [
      { name: 'stream:stream', attrs: { xmlns: 'jabber:client', 'xmlns:stream': STREAM_NS, to: 'example.com', version: '1.0' } },
    ]);
    assert.deepEqual(out.stanzas.map(String), [
      '<presence xmlns="jabber:client"/>',
      '<message to="a@b" xmlns="jabber:client"><body>hi</body></message>',
    ]);
    assert.equal(out.ends, 1);
  });

  it('accepts whitespace keepalives between stanzas, however much of it', () => {
    const spaces = ' \n\t\r'.repeat(256 * 1024);
    const out = collect([HEADER, spaces, '<presence/>', spaces, '<presence/>'], { limits: { maxStanzaBytes: 1024 } });
    assert.deepEqual(out.errors, []);
    assert.equal(out.stanzas.length, 2);
  });

  it('refuses character data between stanzas', () => {
    assert.equal(errorOf(`${HEADER}<presence/>hello<presence/>`), 'not-well-formed');
    assert.equal(errorOf(`${HEADER}&amp;`), 'not-well-formed');
    assert.equal(errorOf(`${HEADER}<![CDATA[x]]>`), 'not-well-formed');
  });

  it('refuses text before the stream header', () => {
    assert.equal(errorOf(`hello${HEADER}`), 'not-well-formed');
  });

  it('ignores what follows </stream:stream>', () => {
    const out = collect([`${HEADER}</stream:stream><presence/>garbage`]);
    assert.deepEqual(out.log, ['start stream:stream', 'end']);
  });

  it('ends quietly when the input stops between stanzas, and with an error inside one', () => {
    assert.deepEqual(collect([`${HEADER}<presence/>`]).errors, []);
    assert.equal(errorOf(`${HEADER}<message><body>`), 'not-well-formed');
    assert.equal(errorOf(`${HEADER}<message`), 'not-well-formed');
  });

  it('normalizes line ends (XML 1.0 §2.11) and attribute whitespace (§3.3.3)', () => {
    const out = collect([HEADER, "<message a='x\ty\r\nz&#10;'><body>1\r\n2\r3\n4</body></message>"]);
    const [m] = out.stanzas;
    assert.equal(m.attrs.a, 'x y z\n');
    assert.equal(m.getChildText('body'), '1\n2\n3\n4');
  });

  it('merges text, entities and CDATA sections into one text node', () => {
    const [m] = collect([HEADER, '<message><body>a &lt; b<![CDATA[ <c> ]] ]]>&#x1F600;d</body></message>']).stanzas;
    assert.deepEqual(m.getChild('body')!.children, ['a < b <c> ]] 😀d']);
  });

  it('allows an XML declaration only at the very start, and only for UTF-8 (RFC 6120 §11.6)', () => {
    for (const decl of [`<?xml version='1.0' encoding='UTF-8'?>`, '<?xml version="1.0" encoding="utf-8" standalone="yes"?>', "<?xml version='1.0'?>\n"]) {
      assert.equal(errorOf(decl + HEADER), undefined, decl);
    }
    assert.equal(errorOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version='1.0'?>${HEADER}`)])), undefined, 'after a BOM');
    assert.equal(errorOf(`<?xml version='1.0' encoding='ISO-8859-1'?>${HEADER}`), 'unsupported-encoding');
    assert.equal(errorOf(`<?xml version='2.0'?>${HEADER}`), 'not-well-formed');
    assert.equal(errorOf(`<?xml version='1.0'${HEADER}`), 'not-well-formed');
    assert.equal(errorOf(` <?xml version='1.0'?>${HEADER}`), 'restricted-xml');
    assert.equal(errorOf(`<?xml version='1.0'?><?xml version='1.0'?>${HEADER}`), 'restricted-xml');
  });
});

describe('namespaces of detached stanzas', () => {
  it('makes the inherited default namespace explicit, jabber:client or jabber:server', () => {
    const server = HEADER.replace('jabber:client', 'jabber:server');
    const [m] = collect([server, "<message from='a@b'><body>x</body></message>"]).stanzas;
    assert.equal(m.attrs.xmlns, 'jabber:server');
    assert.equal(m.getNS(), 'jabber:server');
    assert.equal(m.getChild('body')!.getNS(), 'jabber:server');
    assert.equal(m.parent, null);
  });

  it("keeps a stanza's own namespace", () => {
    const [s] = collect([HEADER, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"]).stanzas;
    assert.ok(s.is('starttls', 'urn:ietf:params:xml:ns:xmpp-tls'));
  });

  it('declares the stream prefix on <stream:features> and <stream:error>', () => {
    const out = collect([
      HEADER,
      "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
      "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    ]);
    const [features, error] = out.stanzas;
    assert.equal(features.attrs['xmlns:stream'], STREAM_NS);
    assert.ok(features.is('features', STREAM_NS));
    assert.ok(features.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind'));
    assert.ok(error.is('error', STREAM_NS));
    assert.equal(error.getChildByNS('urn:ietf:params:xml:ns:xmpp-streams')?.name, 'not-well-formed');
  });

  it('copies a prefix declared on the stream root onto the stanza that uses it deep inside', () => {
    const header = HEADER.replace('>', " xmlns:db='jabber:server:dialback'>");
    const [r, m] = collect([header, "<db:result to='a' from='b'>key</db:result>", "<message><x><db:verify db:id='1'/></x></message>"]).stanzas;
    assert.ok(r.is('result', 'jabber:server:dialback'));
    assert.equal(m.attrs['xmlns:db'], 'jabber:server:dialback');
    assert.equal(m.getChild('x')!.getChildElements()[0].getNS(), 'jabber:server:dialback');
  });

  it('resolves prefixes declared inside the stanza, and xml:lang', () => {
    const [m] = collect([HEADER, "<message xml:lang='de'><e:x xmlns:e='urn:e'><e:y/></e:x></message>"]).stanzas;
    assert.equal(m.attrs['xml:lang'], 'de');
    const x = m.getChildElements()[0];
    assert.equal(x.getNS(), 'urn:e');
    assert.equal(x.getChildElements()[0].getNS(), 'urn:e');
    assert.equal(m.attrs['xmlns:e'], undefined);
  });

  it('lets an element undeclare the default namespace', () => {
    const [m] = collect([HEADER, "<message><x xmlns=''/></message>"]).stanzas;
    assert.equal(m.getChildElements()[0].getNS(), '');
  });
});

describe('chunking', () => {
  const stream =
    `<?xml version='1.0'?>${HEADER}\n` +
    "<message from='juliet@capulet.lit/balcony' to=\"romeo@montague.lit\" type='chat' id='a1'>" +
    '<body>Grüße, 日本語 &amp; 😀 &lt;3 &#x263A; ]] ] &quot;q&quot;\r\nline</body>' +
    "<active xmlns='http://jabber.org/protocol/chatstates'/></message> \n" +
    "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>" +
    "<iq type='result' id='r'><query xmlns='jabber:iq:roster'><item jid='a@b' name='Zoë &amp; Co'><group>Ünïcödé</group></item>" +
    "<item jid='c@d' subscription='both'/></query></iq><message><body><![CDATA[<raw> ]]]]><![CDATA[> x]]></body></message>" +
    '</stream:stream>';
  const bytes = Buffer.from(stream);
  const whole = collect([bytes]);

  it('parses the reference stream', () => {
    assert.deepEqual(whole.errors, []);
    assert.equal(whole.stanzas.length, 4);
    assert.equal(whole.ends, 1);
    assert.equal(whole.stanzas[0].getChildText('body'), 'Grüße, 日本語 & 😀 <3 ☺ ]] ] "q"\nline');
    assert.equal(whole.stanzas[3].getChildText('body'), '<raw> ]]> x');
  });

  it('gives identical events for a split at every byte', () => {
    for (let i = 1; i < bytes.length; i++) {
      const split = collect([bytes.subarray(0, i), bytes.subarray(i)]);
      assert.deepEqual(split.log, whole.log, `split at byte ${i}`);
    }
  });

  it('gives identical events one byte at a time, and for string chunks split at every character', () => {
    assert.deepEqual(collect(bytewise(bytes)).log, whole.log);
    for (let i = 1; i < stream.length; i++) assert.deepEqual(collect([stream.slice(0, i), stream.slice(i)]).log, whole.log, `split at char ${i}`);
  });
});

describe('refusals (RFC 6120 §11.1, XML 1.0, Namespaces in XML)', () => {
  const cases: [string, string, ParserErrorCondition][] = [
    ['DOCTYPE', `<!DOCTYPE stream:stream>${HEADER}`, 'restricted-xml'],
    ['internal DTD subset (billion laughs)', `<!DOCTYPE s [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;'>]>${HEADER}<message>&b;</message>`, 'restricted-xml'],
    ['DOCTYPE inside the stream', `${HEADER}<!DOCTYPE x>`, 'restricted-xml'],
    ['comment in the prolog', `<!-- hi -->${HEADER}`, 'restricted-xml'],
    ['comment between stanzas', `${HEADER}<!-- hi -->`, 'restricted-xml'],
    ['comment in a stanza', `${HEADER}<message><!-- hi --></message>`, 'restricted-xml'],
    ['processing instruction in a stanza', `${HEADER}<message><?php x ?></message>`, 'restricted-xml'],
    ['processing instruction between stanzas', `${HEADER}<?xml version='1.0'?>`, 'restricted-xml'],
    ['processing instruction at the start', `<?xml-stylesheet href='a'?>${HEADER}`, 'restricted-xml'],
    ['short processing instruction at the start', `<?x?>${HEADER}`, 'restricted-xml'],
    ['undefined entity in text', `${HEADER}<message><body>&nbsp;</body></message>`, 'restricted-xml'],
    ['undefined entity in an attribute', `${HEADER}<message to='&foo;'/>`, 'restricted-xml'],
    ['character reference to NUL', `${HEADER}<message><body>&#0;</body></message>`, 'not-well-formed'],
    ['character reference to a surrogate', `${HEADER}<message><body>&#xD800;</body></message>`, 'not-well-formed'],
    ['character reference to U+FFFE', `${HEADER}<message><body>&#xFFFE;</body></message>`, 'not-well-formed'],
    ['character reference past U+10FFFF', `${HEADER}<message><body>&#x110000;</body></message>`, 'not-well-formed'],
    ['empty character reference', `${HEADER}<message><body>&#x;</body></message>`, 'not-well-formed'],
    ['unterminated entity reference', `${HEADER}<message><body>&amp</body></message>`, 'not-well-formed'],
    ['bare ampersand', `${HEADER}<message><body>a & b</body></message>`, 'not-well-formed'],
    ['mismatched end tag', `${HEADER}<message><body></message></body>`, 'not-well-formed'],
    ['mismatched end of the stream', `${HEADER}</stream>`, 'not-well-formed'],
    ['unbound element prefix', `${HEADER}<foo:message/>`, 'not-well-formed'],
    ['unbound attribute prefix', `${HEADER}<message foo:type='chat'/>`, 'not-well-formed'],
    ['stream without its prefix declared', "<stream:stream xmlns='jabber:client'>", 'not-well-formed'],
    ['duplicate attribute', `${HEADER}<message to='a' to='b'/>`, 'not-well-formed'],
    ['duplicate expanded attribute', `${HEADER}<message xmlns:a='urn:x' xmlns:b='urn:x' a:t='1' b:t='2'/>`, 'not-well-formed'],
    ['prefix undeclared', `${HEADER}<message xmlns:a=''/>`, 'not-well-formed'],
    ['xml prefix rebound', `${HEADER}<message xmlns:xml='urn:x'/>`, 'not-well-formed'],
    ['two colons in a name', `${HEADER}<a:b:c xmlns:a='urn:a'/>`, 'not-well-formed'],
    ['unquoted attribute', `${HEADER}<message to=a/>`, 'not-well-formed'],
    ["'<' in an attribute value", `${HEADER}<message to='<'/>`, 'not-well-formed'],
    ['attributes without whitespace between', `${HEADER}<message to='a'from='b'/>`, 'not-well-formed'],
    ['attribute without value', `${HEADER}<message checked/>`, 'not-well-formed'],
    ['name starting with a digit', `${HEADER}<1message/>`, 'not-well-formed'],
    ["space between '/' and '>'", `${HEADER}<message/ >`, 'not-well-formed'],
    ["']]>' in text", `${HEADER}<message><body>a]]>b</body></message>`, 'not-well-formed'],
    ['raw control character', `${HEADER}<message><body>\u0001</body></message>`, 'not-well-formed'],
    ['U+FFFF in text', `${HEADER}<message><body>\uffff</body></message>`, 'not-well-formed'],
    ['end tag without start', '</stream:stream>', 'not-well-formed'],
    ['CDATA between stanzas', `${HEADER}<![CDATA[x]]>`, 'not-well-formed'],
  ];
  for (const [what, input, condition] of cases) {
    it(`${what} → ${condition}`, () => {
      assert.equal(errorOf(input), condition);
      assert.equal(errorOf(bytewise(input)), condition, 'one byte at a time');
    });
  }

  it('lone surrogate in a string chunk → not-well-formed', () => {
    assert.equal(errorOf(`${HEADER}<message><body>\ud800x</body></message>`), 'not-well-formed');
    assert.equal(errorOf(`${HEADER}<message><body>\udc00</body></message>`), 'not-well-formed');
    assert.equal(errorOf([`${HEADER}<message><body>\ud83d`, '\ude00</body></message>']), undefined, 'a pair split across chunks is fine');
  });

  const utf8: [string, number[]][] = [
    ['an invalid sequence', [0xc3, 0x28]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a stray continuation byte', [0x80]],
  ];
  for (const [what, seq] of utf8) {
    it(`${what} → unsupported-encoding (RFC 6120 §4.9.3.22), also split across chunks`, () => {
      const before = Buffer.from(`${HEADER}<message><body>a`);
      const after = Buffer.from('b</body></message>');
      assert.equal(errorOf(Buffer.concat([before, Buffer.from(seq), after])), 'unsupported-encoding');
      assert.equal(errorOf([before, ...seq.map((b) => Buffer.from([b])), after]), 'unsupported-encoding');
    });
  }

  it('a stream that stops inside a UTF-8 sequence → unsupported-encoding', () => {
    assert.equal(errorOf([Buffer.from(`${HEADER}<message><body>`), Buffer.from([0xe2, 0x82])]), 'unsupported-encoding');
  });
});

describe('limits (RFC 6120 §13.12) → policy-violation', () => {
  it('counts stanza size in bytes, exactly', () => {
    const stanza = `<message><body>${'é'.repeat(100)}x</body></message>`;
    const size = Buffer.byteLength(stanza);
    assert.equal(size, stanza.length + 100);
    for (const chunks of [[HEADER + stanza], bytewise(HEADER + stanza)]) {
      assert.equal(errorOf(chunks, { maxStanzaBytes: size }), undefined);
      assert.equal(errorOf(chunks, { maxStanzaBytes: size - 1 }), 'policy-violation');
    }
  });

  it('fails as soon as a stanza crosses the limit, without waiting for its end', () => {
    const kib = Buffer.from(`${'x'.repeat(1023)}\n`);
    let written = 0;
    let failedAfter = -1;
    const parser = createStreamParser(
      {
        onStreamStart() {},
        onStanza() {},
        onStreamEnd() {},
        onError(err) {
          assert.equal(err.condition, 'policy-violation');
          failedAfter = written;
        },
      },
      { ...defaultXmlLimits, maxStanzaBytes: 64 * 1024 },
    );
    parser.write(`${HEADER}<message><body>`);
    for (; written < 10 * 1024 && failedAfter < 0; ) {
      written++;
      parser.write(kib);
    }
    assert.equal(failedAfter, 64);
  });

  it('refuses a 10 MiB stanza written at once after parsing little of it', () => {
    // Past the first MiB the bytes are not even UTF-8: reaching them would say unsupported-encoding.
    const big = Buffer.alloc(10 * 1024 * 1024, 0xff).fill('a', 0, 1024 * 1024);
    assert.equal(errorOf([HEADER, '<message><body>', big]), 'policy-violation');
  });

  it('applies the size limit to the stream header too', () => {
    assert.equal(errorOf(HEADER.replace('>', ` x='${'a'.repeat(2000)}'>`), { maxStanzaBytes: 1024 }), 'policy-violation');
  });

  it('limits nesting depth, counting the stanza as 1', () => {
    const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    assert.equal(errorOf(HEADER + nest(4), { maxDepth: 4 }), undefined);
    assert.equal(errorOf(HEADER + nest(5), { maxDepth: 4 }), 'policy-violation');
  });

  it('limits the number of attributes on one element', () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}='x'`).join('');
    assert.equal(errorOf(`${HEADER}<message${attrs(8)}/>`, { maxAttributes: 8 }), undefined);
    assert.equal(errorOf(`${HEADER}<message${attrs(9)}/>`, { maxAttributes: 8 }), 'policy-violation');
  });

  it('limits the length of an attribute value, also across chunks', () => {
    // The stream header's longest value, the stream namespace, has 32 characters.
    assert.equal(errorOf(`${HEADER}<message id='${'x'.repeat(40)}'/>`, { maxAttributeLength: 40 }), undefined);
    assert.equal(errorOf(`${HEADER}<message id='${'x'.repeat(41)}'/>`, { maxAttributeLength: 40 }), 'policy-violation');
    assert.equal(errorOf([`${HEADER}<message id='`, 'x'.repeat(41)], { maxAttributeLength: 40 }), 'policy-violation');
    assert.equal(errorOf([`${HEADER}<message id='`, 'x'.repeat(41), "'/>"], { maxAttributeLength: 40 }), 'policy-violation');
  });
});

describe('error discipline', () => {
  it('fires nothing after an error and ignores later writes', () => {
    const out = collect([`${HEADER}<presence/><message><!-- x --></message>`, '<presence/>', '</stream:stream>']);
    assert.deepEqual(out.log, ['start stream:stream', 'stanza <presence xmlns="jabber:client"/>', 'error restricted-xml']);
  });

  it('lets an exception from an event handler propagate, and stops', () => {
    let stanzas = 0;
    const parser = createStreamParser(
      {
        onStreamStart() {},
        onStanza() {
          stanzas++;
          throw new Error('handler bug');
        },
        onStreamEnd() {},
        onError() {
          assert.fail('not a parse error');
        },
      },
      defaultXmlLimits,
    );
    assert.throws(() => parser.write(`${HEADER}<presence/><presence/>`), /handler bug/);
    parser.write('<presence/>');
    assert.equal(stanzas, 1);
  });

  it('parses a write made from a handler after the current one, in order', () => {
    const seen: string[] = [];
    const parser = createStreamParser(
      {
        onStreamStart() {},
        onStanza(el) {
          seen.push(el.attrs.id);
          if (el.attrs.id === '1') parser.write("<presence id='3'/>");
        },
        onStreamEnd() {},
        onError(err) {
          assert.fail(err.message);
        },
      },
      defaultXmlLimits,
    );
    parser.write(`${HEADER}<presence id='1'/><presence id='2'/>`);
    assert.deepEqual(seen, ['1', '2', '3']);
  });

  it('stops delivering when a handler ends the parser', () => {
    const seen: string[] = [];
    const parser = createStreamParser(
      {
        onStreamStart() {},
        onStanza(el) {
          seen.push(el.attrs.id);
          if (el.attrs.id === '2') parser.end();
        },
        onStreamEnd() {},
        onError() {},
      },
      defaultXmlLimits,
    );
    parser.write(`${HEADER}<presence id='1'/><presence id='2'/><presence id='3'/>`);
    assert.deepEqual(seen, ['1', '2']);
  });
});

describe('WebSocket framing (RFC 7395)', () => {
  const open = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>";
  const ws = (...frames: (string | Buffer)[]) => collect(frames, { framing: 'websocket' });

  it('maps <open/> and <close/> to stream start and end, and frames to stanzas', () => {
    const out = ws(open, "<message to='a@b'><body>hi</body></message>", Buffer.from("<iq xmlns='jabber:client' type='get' id='1'/>"), "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
    assert.deepEqual(out.errors, []);
    assert.deepEqual(out.starts, [{ name: 'open', attrs: { xmlns: 'urn:ietf:params:xml:ns:xmpp-framing', to: 'example.com', version: '1.0' } }]);
    assert.deepEqual(out.stanzas.map(String), [
      '<message to="a@b" xmlns="jabber:client"><body>hi</body></message>',
      '<iq xmlns="jabber:client" type="get" id="1"/>',
    ]);
    assert.equal(out.ends, 1);
  });

  it('keeps a stanza namespace other than jabber:client', () => {
    const [auth] = ws("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>").stanzas;
    assert.ok(auth.is('auth', 'urn:ietf:params:xml:ns:xmpp-sasl'));
  });

  it('treats <open/> outside the framing namespace as a stanza', () => {
    const out = ws('<open/>');
    assert.equal(out.starts.length, 0);
    assert.equal(out.stanzas[0].getNS(), 'jabber:client');
  });

  it('accepts an XML declaration and whitespace around the element, and whitespace-only frames', () => {
    const out = ws(`<?xml version='1.0'?>\n${open}\n`, ' ', '<presence/>');
    assert.deepEqual(out.errors, []);
    assert.equal(out.starts.length, 1);
    assert.equal(out.stanzas.length, 1);
  });

  it('refuses a frame with two elements, or an incomplete one', () => {
    assert.equal(ws('<presence/><presence/>').errors[0]?.condition, 'not-well-formed');
    assert.equal(ws('<message><body>hi</body>').errors[0]?.condition, 'not-well-formed');
    assert.equal(ws(Buffer.from([0x3c, 0x61, 0x3e, 0xc3])).errors[0]?.condition, 'unsupported-encoding');
  });

  it('applies the same refusals and limits', () => {
    assert.equal(ws('<message><!-- x --></message>').errors[0]?.condition, 'restricted-xml');
    assert.equal(ws('<!DOCTYPE x><message/>').errors[0]?.condition, 'restricted-xml');
    const big = collect([`<message><body>${'x'.repeat(2000)}</body></message>`], { framing: 'websocket', limits: { maxStanzaBytes: 1024 } });
    assert.equal(big.errors[0]?.condition, 'policy-violation');
  });
});
