#!/usr/bin/python3
"""slixmpp 1.8.3 as a roster and presence test peer (RFC 6121), driven line by line.

Connects with STARTTLS and SCRAM, binds, optionally fetches the roster (with a roster version,
XEP-0237) and sends initial presence, then follows JSON commands on stdin, one per line:

  {"op": "get_roster"}                        fetch the roster; prints a "roster" event
  {"op": "roster_state"}                      prints slixmpp's own view of the roster
  {"op": "subscribe", "jid": "..."}           presence subscribe via slixmpp's roster item
  {"op": "authorize", "jid": "..."}           subscribed (approve, or pre-approve)
  {"op": "unauthorize", "jid": "..."}         unsubscribed
  {"op": "update_roster", "jid": "...", "name": "...", "groups": [...]}   roster set; "iq_result" or "iq_error"
  {"op": "remove_roster", "jid": "..."}       roster remove
  {"op": "send", "xml": "<presence .../>"}    raw XML
  {"op": "presence", "status": "..."}         presence broadcast
  {"op": "quit"}                              close the stream and exit 0

and prints one JSON object per line for what happens:

  {"event": "session_start", "jid": "...", "features": [...]}
  {"event": "roster", "ver": "...", "xml": "<iq .../>", "items": {...}}   (result of a roster get, as received)
  {"event": "roster_push", "xml": "<iq .../>", "items": {...}}            (after each roster push)
  {"event": "presence", "xml": "<presence .../>"}                         (every presence received)
  {"event": "iq", "xml": "<iq type='result|error' .../>"}                 (every iq result or error)
  {"event": "roster_state", "items": {jid: {"subscription", "pending_out", "name", "groups"}}}
  {"event": "iq_result", "op": ...} / {"event": "iq_error", "op": ..., "condition": ...}
  {"event": "disconnected"} / {"event": "timeout"}
"""
from slixmpp.exceptions import IqError, IqTimeout

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run, spawn


class RosterPeer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args)
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("presence", lambda p: emit("presence", xml=str(p)))
        self.add_event_handler("roster_update", self.on_roster_update)
        # Iq answers as they arrived, before slixmpp's handlers touch them (reading iq['roster']
        # adds an empty <query/> to the stanza object): also those to iqs sent as raw XML.
        self.raw_results = {}
        self.add_filter("in", self.on_incoming)
        self.finish_on("failed_all_auth", 2)
        self.finish_on_stream_end()

    def roster_items(self):
        out = {}
        for jid in self.client_roster:
            item = self.client_roster[jid]
            out[str(jid)] = {"subscription": item["subscription"], "pending_out": bool(item["pending_out"]),
                             "name": item["name"], "groups": list(item["groups"])}
        return out

    def on_incoming(self, stanza):
        if stanza.name == "iq" and stanza["type"] in ("result", "error"):
            raw = str(stanza)
            self.raw_results[stanza["id"]] = raw
            if len(self.raw_results) > 100:
                self.raw_results.pop(next(iter(self.raw_results)))
            emit("iq", xml=raw)
        return stanza

    def on_roster_update(self, iq):
        # Fired for roster results and pushes; slixmpp's own handler runs first (registered earlier).
        if iq["type"] == "set":
            emit("roster_push", xml=str(iq), items=self.roster_items())

    async def get_roster_event(self):
        iq = await self.get_roster()
        emit("roster", ver=self.client_roster.version, xml=self.raw_results.get(iq["id"], str(iq)), items=self.roster_items())

    async def on_session_start(self, _event):
        if self.args.auto_authorize == "none":
            self.roster.auto_authorize = None
        else:
            self.roster.auto_authorize = self.args.auto_authorize == "true"
        self.roster.auto_subscribe = self.args.auto_subscribe
        emit("session_start", jid=str(self.boundjid), features=sorted(self.features))
        if self.args.roster_ver is not None:
            self.client_roster.version = self.args.roster_ver
        if self.args.get_roster:
            await self.get_roster_event()
        if self.args.presence:
            self.send_presence()
        emit("ready")
        spawn(self.read_commands())

    async def run(self, c):
        op = c["op"]
        try:
            if op == "get_roster":
                await self.get_roster_event()
            elif op == "roster_state":
                emit("roster_state", items=self.roster_items())
            elif op == "subscribe":
                self.client_roster[c["jid"]].subscribe()
            elif op == "authorize":
                self.client_roster[c["jid"]].authorize()
            elif op == "unauthorize":
                self.client_roster[c["jid"]].unauthorize()
            elif op == "update_roster":
                await self.update_roster(c["jid"], name=c.get("name", ""), groups=c.get("groups", []))
                emit("iq_result", op=op, jid=c["jid"])
            elif op == "remove_roster":
                await self.del_roster_item(c["jid"])
                emit("iq_result", op=op, jid=c["jid"])
            elif op == "send":
                self.send_raw(c["xml"])
            elif op == "presence":
                self.send_presence(pstatus=c.get("status"))
            emit("command_done", op=op)
        except IqError as e:
            emit("iq_error", op=op, condition=e.iq["error"]["condition"], xml=str(e.iq))
        except IqTimeout:
            emit("iq_error", op=op, condition="timeout")


def main():
    p = arg_parser(__doc__, timeout=30.0)
    p.add_argument("--mechanism", default="SCRAM-SHA-256")
    p.add_argument("--get-roster", action="store_true", help="fetch the roster after binding")
    p.add_argument("--roster-ver", help="roster version the client claims to have (XEP-0237)")
    p.add_argument("--presence", action="store_true", help="send initial presence after the roster")
    p.add_argument("--auto-authorize", choices=["true", "false", "none"], default="none")
    p.add_argument("--auto-subscribe", action="store_true")
    args = parse_args(p)
    xmpp = make_peer(RosterPeer, args, mechanism=args.mechanism)
    xmpp["feature_mechanisms"].sasl_callback = xmpp.credentials_without_binding
    run(xmpp, close="no")


if __name__ == "__main__":
    main()
