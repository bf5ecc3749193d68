#!/usr/bin/python3
"""slixmpp 1.8.3 with its XEP-0198 plugin, driven line by line over stdin, for Parley's stream
management tests (test/helpers/slix-sm.ts).

Commands (one per line on stdin):
  cut                 close the TCP connection without </stream:stream> (a network failure)
  reconnect ADDRESS   connect again from source ADDRESS (e.g. 127.0.0.2) and resume
  send JID ID BODY    send a chat message
  r                   request an ack from the server (<r/>)
  state               print the stream management counters
  quit                close the stream cleanly and exit

Events (one JSON object per line on stdout):
  {"event": "session_start", "jid": ...}   {"event": "sm_enabled", "id": ...}
  {"event": "message", "from": ..., "id": ..., "body": ...}
  {"event": "session_resumed"}             {"event": "sm_failed"}
  {"event": "state", "handled": h, "seq": n, "last_ack": n, "unacked": n}
  {"event": "disconnected"}                {"event": "stream_error", "condition": ...}
"""
import asyncio
import sys

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0198",))
        self.local_address = None
        # Ask for an ack after every stanza, so the server's count is checked often. (slixmpp writes
        # that <r/> before the stanza itself, so the last stanza's ack needs one more <r/>: command r.)
        self["xep_0198"].window = 1
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("sm_enabled", lambda e: emit("sm_enabled", id=self["xep_0198"].sm_id))
        self.add_event_handler("session_resumed", lambda e: emit("session_resumed"))
        self.add_event_handler("sm_failed", lambda e: emit("sm_failed"))
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("stream_error", lambda e: emit("stream_error", condition=e["condition"]))
        self.add_event_handler("disconnected", lambda e=None: emit("disconnected"))
        self.add_event_handler("failed_all_auth", lambda e=None: emit("failed_auth"))

    async def on_session_start(self, _event):
        emit("session_start", jid=str(self.boundjid))
        self.send_presence()

    def on_message(self, msg):
        emit("message", **{"from": str(msg["from"]), "id": msg["id"], "type": msg["type"], "body": msg["body"]})

    def state(self):
        sm = self["xep_0198"]
        emit("state", handled=sm.handled, seq=sm.seq, last_ack=sm.last_ack, unacked=len(sm.unacked_queue))


def patch_source_address(xmpp):
    """Connect from xmpp.local_address when set (not for the STARTTLS upgrade, which reuses the socket)."""
    loop = xmpp.loop
    original = loop.create_connection

    async def create_connection(*args, **kwargs):
        if xmpp.local_address and "sock" not in kwargs:
            kwargs["local_addr"] = (xmpp.local_address, 0)
        return await original(*args, **kwargs)

    loop.create_connection = create_connection


async def commands(xmpp):
    reader = asyncio.StreamReader()
    await asyncio.get_event_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line:
            if reader.at_eof():
                return
            continue
        cmd, _, rest = line.partition(" ")
        if cmd == "cut":
            xmpp.transport.abort()
        elif cmd == "reconnect":
            xmpp.local_address = rest.strip() or None
            xmpp.connect(force_starttls=True)
        elif cmd == "send":
            to, mid, body = rest.split(" ", 2)
            msg = xmpp.make_message(mto=to, mbody=body, mtype="chat")
            msg["id"] = mid
            msg.send()
        elif cmd == "r":
            xmpp["xep_0198"].request_ack()
        elif cmd == "state":
            xmpp.state()
        elif cmd == "quit":
            xmpp.disconnect(wait=1.0)
            try:
                await asyncio.wait_for(xmpp.disconnected, timeout=3)
            except Exception:
                pass
            return


def main():
    args = parse_args(arg_parser(__doc__, timeout=60.0))
    xmpp = make_peer(Peer, args, mechanism="SCRAM-SHA-1")
    xmpp["feature_mechanisms"].sasl_callback = xmpp.credentials_without_binding
    patch_source_address(xmpp)
    xmpp.connect((args.host, args.port), force_starttls=True)
    try:
        xmpp.loop.run_until_complete(asyncio.wait_for(commands(xmpp), timeout=args.timeout))
    except asyncio.TimeoutError:
        emit("timeout", seconds=args.timeout)
        sys.exit(3)


if __name__ == "__main__":
    main()
