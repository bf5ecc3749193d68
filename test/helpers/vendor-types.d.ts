// Just enough typing for the untyped JavaScript packages the tests drive.
declare module 'ltx' {
  export class Element {
    constructor(name: string, attrs?: Record<string, string>);
    name: string;
    attrs: Record<string, string>;
    children: Array<Element | string>;
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getNS(): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    attr(name: string): string | undefined;
    toString(): string;
  }
  export function parse(xml: string): Element;
}

declare module '@xmpp/client' {
  import type { Element } from 'ltx';
  import type { EventEmitter } from 'node:events';

  export interface Jid {
    local: string;
    domain: string;
    resource: string;
    toString(): string;
    bare(): Jid;
  }

  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    /** Called with the mechanisms both sides support; call authenticate with one of them. */
    credentials?: (
      authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>,
      mechanisms: string[],
    ) => Promise<void>;
    timeout?: number;
  }

  export interface Client extends EventEmitter {
    jid: Jid | null;
    status: string;
    options: ClientOptions;
    socket: { socket: import('node:net').Socket | import('node:tls').TLSSocket | null } | null;
    start(): Promise<Jid>;
    stop(): Promise<void>;
    send(...elements: Element[]): Promise<void>;
    write(data: string): Promise<void>;
    disconnect(timeout?: number): Promise<void>;
    isSecure(): boolean;
    /** Connection options for the transport chosen for the service URL (tls.connect options for xmpps://). */
    socketParameters(service: string): Record<string, unknown> | undefined;
    reconnect: { stop(): void; start(): void; delay: number };
    iqCaller: { request(el: Element, timeout?: number): Promise<Element> };
  }

  export function client(options: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: Array<Element | string | undefined>): Element;
}
