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
import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

# asyncio holds tasks weakly: a task nobody references can be collected mid-await.
_tasks = set()


def _spawn(coro):
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task




def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class RosterPeer(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.finished = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("presence", lambda p: emit("presence", xml=str(p)))
        self.add_event_handler("roster_update", self.on_roster_update)
        # Iq answers as they arrived, before slixmpp's handlers touch them (reading iq['roster']
        # adds an empty <query/> to the stanza object): also those to iqs sent as raw XML.
        self.raw_results = {}
        self.add_filter("in", self.on_incoming)
        self.add_event_handler("failed_all_auth", lambda _=None: self.finish(2, "failed_all_auth"))
        self.add_event_handler("stream_error", lambda e: self.finish(5, "stream_error", condition=e["condition"]))
        self.add_event_handler("disconnected", lambda _=None: self.finish(5, "disconnected"))
        self.add_event_handler("connection_failed", lambda e=None: self.finish(4, "connection_failed", reason=str(e)))

    def finish(self, code, event, **fields):
        if event:
            emit(event, **fields)
        if not self.finished.done():
            self.finished.set_result(code)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    def credentials_callback(self, required, optional):
        # A client that does no channel binding (gs2 flag 'n'): slixmpp's default 'y' with a
        # non -PLUS mechanism is a downgrade signal a server offering -PLUS must refuse (RFC 5802 §6).
        creds = self["feature_mechanisms"]._default_credentials(required, optional)
        if "channel_binding" in creds:
            creds["channel_binding"] = None
        return creds

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
        asyncio.get_event_loop().add_reader(sys.stdin.fileno(), self.on_stdin)

    def on_stdin(self):
        line = sys.stdin.readline()
        if not line:
            asyncio.get_event_loop().remove_reader(sys.stdin.fileno())
            return
        if line.strip():
            _spawn(self.command(json.loads(line)))

    async def command(self, c):
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
            elif op == "quit":
                self.disconnect(wait=1.0)
                self.finish(0, "done")
            emit("command_done", op=op)
        except IqError as e:
            emit("iq_error", op=op, condition=e.iq["error"]["condition"], xml=str(e.iq))
        except IqTimeout:
            emit("iq_error", op=op, condition="timeout")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--mechanism", default="SCRAM-SHA-256")
    p.add_argument("--get-roster", action="store_true", help="fetch the roster after binding")
    p.add_argument("--roster-ver", help="roster version the client claims to have (XEP-0237)")
    p.add_argument("--presence", action="store_true", help="send initial presence after the roster")
    p.add_argument("--auto-authorize", choices=["true", "false", "none"], default="none")
    p.add_argument("--auto-subscribe", action="store_true")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--debug", action="store_true")
    args = p.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL, stream=sys.stderr)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = RosterPeer(args)
    xmpp.ca_certs = Path(args.ca)
    xmpp["feature_mechanisms"].use_mech = args.mechanism
    xmpp["feature_mechanisms"].sasl_callback = xmpp.credentials_callback
    xmpp.reconnect_max_attempts = 0
    xmpp.connect((args.host, args.port), force_starttls=True)

    async def run():
        try:
            return await asyncio.wait_for(asyncio.shield(xmpp.finished), timeout=args.timeout)
        except asyncio.TimeoutError:
            emit("timeout", seconds=args.timeout)
            return 3

    code = loop.run_until_complete(run())
    sys.exit(code)


if __name__ == "__main__":
    main()
