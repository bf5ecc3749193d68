// Limits the streaming parser enforces on every XML stream (RFC 6120 §13.12 resource exhaustion).
export interface XmlLimits {
  /** Largest stanza, in bytes of input, before policy-violation. */
  maxStanzaBytes: number;
  /** Deepest element nesting inside a stanza. */
  maxDepth: number;
  /** Most attributes on one element. */
  maxAttributes: number;
  /** Longest attribute value, in characters. */
  maxAttributeLength: number;
}

export const defaultXmlLimits: XmlLimits = {
  maxStanzaBytes: 256 * 1024,
  maxDepth: 64,
  maxAttributes: 64,
  maxAttributeLength: 64 * 1024,
};
