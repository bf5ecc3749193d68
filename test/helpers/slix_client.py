#!/usr/bin/python3
"""slixmpp 1.8.3 as a test peer for Parley's end-to-end tests.

Connects (STARTTLS or Direct TLS), authenticates with one forced SASL mechanism, binds, optionally
sends messages and waits for some, and prints one JSON object per line for each thing that
happened, so the TypeScript side (test/helpers/slixmpp.ts) can follow along:

  {"event": "session_start", "jid": "...", "mechanism": "SCRAM-SHA-256-PLUS", "tls_version": "TLSv1.3", ...}
  {"event": "message", "from": "...", "to": "...", "type": "chat", "body": "..."}
  {"event": "failed_auth", "condition": "not-authorized", "text": "..."}
  {"event": "stream_error", "condition": "..."}
  {"event": "disconnected"}
  {"event": "done"} / {"event": "timeout"}

Exit codes: 0 done, 2 authentication failed, 3 timed out, 4 could not connect or no mechanism,
5 stream error or other disconnect before done, 1 crash.

Channel binding. slixmpp hard-codes the 'tls-unique' type (RFC 5929), which RFC 9266 leaves
undefined for TLS 1.3. This script can instead bind with 'tls-server-end-point' (RFC 5929 §4, the
hash of the server certificate), which is defined for every TLS version: --cb-type picks the type.
slixmpp also sends the gs2 flag 'y' ("I support channel binding, I think you do not") whenever it
has binding data and uses a non -PLUS mechanism; against a server that offers -PLUS that is a
downgrade signal which RFC 5802 §6 says must fail. So with a forced non -PLUS mechanism this script
gives slixmpp no binding data (gs2 flag 'n', a client that does not do channel binding), unless
--stock-channel-binding keeps slixmpp's own behaviour.
"""
import hashlib
import ssl

from slixmpp.util.sasl import mechanisms as sasl_mechanisms

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run


def server_end_point(der_cert):
    """RFC 5929 §4.1: hash of the certificate with its signature hash; MD5 and SHA-1 become SHA-256."""
    name = "sha256"
    try:
        from cryptography import x509
        algo = x509.load_der_x509_certificate(der_cert).signature_hash_algorithm
        if algo is not None and algo.name not in ("md5", "sha1"):
            name = algo.name
    except Exception:  # no cryptography module, or an unusual certificate: SHA-256 is the common case
        pass
    return hashlib.new(name, der_cert).digest()


def patch_scram_cb_type(cb_type):
    """Make slixmpp's SCRAM -PLUS announce cb_type instead of its hard-coded tls-unique."""
    original = sasl_mechanisms.SCRAM.process_1

    def process_1(self, challenge):
        out = original(self, challenge)
        if self.use_channel_binding and cb_type != "tls-unique":
            flag = ("p=" + cb_type).encode()
            self.gs2_header = self.gs2_header.replace(b"p=tls-unique", flag, 1)
            self.client_first_message = self.client_first_message.replace(b"p=tls-unique", flag, 1)
            out = self.client_first_message
        return out

    sasl_mechanisms.SCRAM.process_1 = process_1


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args)
        self.received = 0
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.finish_on("failed_all_auth", 2)
        self.add_event_handler("no_auth", lambda _=None: emit("no_auth"))
        self.add_event_handler("stream_error", self.on_stream_error)
        self.add_event_handler("ssl_invalid_chain", lambda e=None: (emit("ssl_invalid_chain", reason=str(e)), self.finish(4, None)))
        self.add_event_handler("disconnected", self.on_disconnected)

    def credentials_callback(self, required, optional):
        creds = self["feature_mechanisms"]._default_credentials(required, optional)
        if "channel_binding" in creds and not self.args.stock_channel_binding:
            mech = self.args.mechanism or ""
            if not mech.endswith("-PLUS"):
                creds["channel_binding"] = None
            elif self.args.cb_type == "tls-server-end-point":
                creds["channel_binding"] = server_end_point(self.socket.getpeercert(True))
            # tls-unique: slixmpp's own value (ssl get_channel_binding) is what it sends
        return creds

    async def on_session_start(self, _event):
        sslobj = self.socket if isinstance(self.socket, (ssl.SSLObject, ssl.SSLSocket)) else None
        mech = self["feature_mechanisms"].mech
        emit("session_start", jid=str(self.boundjid), mechanism=mech.name if mech else None,
             tls_version=sslobj.version() if sslobj else None,
             cb_type=self.args.cb_type if (mech and mech.name.endswith("-PLUS")) else None)
        if self.args.presence:
            self.send_presence(ppriority=self.args.priority)
        for to in self.args.send_to:
            for i in range(self.args.count):
                body = self.args.body if self.args.count == 1 else f"{self.args.body} {i}"
                self.send_message(mto=to, mbody=body, mtype="chat")
            emit("sent", to=to, count=self.args.count)
        if self.received >= self.args.wait_messages:
            self.finish(0, "done")

    def on_message(self, msg):
        emit("message", **{"from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"], "body": msg["body"]})
        if msg["type"] != "error":
            self.received += 1
        if self.received >= self.args.wait_messages and self.authenticated and self.sessionstarted:
            self.finish(0, "done")

    def on_failed_auth(self, stanza=None):
        condition = stanza["condition"] if stanza is not None else None
        text = stanza["text"] if stanza is not None else None
        emit("failed_auth", condition=condition, text=text)

    def on_stream_error(self, error):
        self.finish(5, "stream_error", condition=error["condition"], text=error["text"])

    def on_disconnected(self, reason=None):
        self.finish(5, "disconnected", reason=str(reason) if reason else None)


def main():
    p = arg_parser(__doc__, timeout=20.0)
    p.add_argument("--direct-tls", action="store_true", help="XEP-0368 Direct TLS instead of STARTTLS")
    p.add_argument("--mechanism", help="the only SASL mechanism to use, e.g. SCRAM-SHA-256-PLUS")
    p.add_argument("--cb-type", default="tls-server-end-point", choices=["tls-server-end-point", "tls-unique"])
    p.add_argument("--stock-channel-binding", action="store_true", help="leave slixmpp's channel binding as it is")
    p.add_argument("--tls-max", choices=["1.2", "1.3"], help="highest TLS version to offer")
    p.add_argument("--presence", action="store_true", help="send initial presence after binding")
    p.add_argument("--priority", type=int, default=0)
    p.add_argument("--send-to", action="append", default=[], help="JID to send a chat message to (repeatable)")
    p.add_argument("--body", default="hello")
    p.add_argument("--count", type=int, default=1, help="messages to send to each --send-to")
    p.add_argument("--wait-messages", type=int, default=0, help="stay until this many messages arrived")
    args = parse_args(p)

    if args.mechanism and args.mechanism.endswith("-PLUS") and not args.stock_channel_binding:
        patch_scram_cb_type(args.cb_type)

    xmpp = make_peer(Peer, args, mechanism=args.mechanism)
    if args.tls_max == "1.2":
        xmpp.ssl_context.maximum_version = ssl.TLSVersion.TLSv1_2
    xmpp["feature_mechanisms"].sasl_callback = xmpp.credentials_callback
    run(xmpp, direct_tls=args.direct_tls)


if __name__ == "__main__":
    main()
