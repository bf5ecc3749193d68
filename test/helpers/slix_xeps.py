#!/usr/bin/python3
"""slixmpp 1.8.3 driving XEP scenarios against Parley, using slixmpp's own plugins:

  register  XEP-0077 (xep_0077): register in-band (unless --existing), then log in; optionally
            change the password or cancel the registration afterwards.
  carbons   XEP-0280 (xep_0280): enable carbons, optionally send messages, report the carbons.
  adhoc     XEP-0050 (xep_0050) + XEP-0133 fields: list the server's commands, run one with a
            filled-in form.

Prints one JSON object per line (see test/helpers/slix-scenario.ts):
  {"event": "registered"} / {"event": "register_error", "condition": ..., "code": ..., "text": ...}
  {"event": "session_start", "jid": ...}
  {"event": "password_changed"} / {"event": "cancelled"} / {"event": "iq_error", "condition": ...}
  {"event": "carbons_enabled"} / {"event": "carbon", "direction": "received"|"sent", "from": ..., "to": ..., "inner_from": ..., "inner_to": ..., "body": ...}
  {"event": "message", ...} / {"event": "commands", "nodes": [...]} / {"event": "form", "sessionid": ..., "fields": [...]}
  {"event": "command_done", "status": ..., "notes": [...]} / {"event": "command_error", "condition": ...}
  {"event": "stream_error", "condition": ...} / {"event": "failed_auth"} / {"event": "disconnected"} / {"event": "done"} / {"event": "timeout"}
Logs in with PLAIN (over TLS): these scenarios are about the XEPs, not SASL.
"""
import logging

from slixmpp.exceptions import IqError, IqTimeout

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run


def iq_error_fields(e):
    err = e.iq["error"]
    return {"condition": err["condition"], "code": err.xml.get("code"), "text": err["text"], "type": err["type"]}


PLUGINS = {"register": ("xep_0066", "xep_0077"), "carbons": ("xep_0280",), "adhoc": ("xep_0050",)}


class Peer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0004") + PLUGINS[args.scenario])
        self.carbons = 0
        if args.scenario == "register":
            self["xep_0077"].force_registration = False
            # slixmpp 1.8.3 holds back every stanza sent before session start except bind/session
            # (XMLStream.send logs "NOT SENT"), which would stall its own pre-auth registration iqs.
            self._always_send_everything = True
            if not args.existing:  # without a 'register' handler, xep_0077 skips the feature
                self.add_event_handler("register", self.on_register)
        if args.scenario == "carbons":
            self.add_event_handler("carbon_received", lambda m: self.on_carbon("received", m))
            self.add_event_handler("carbon_sent", lambda m: self.on_carbon("sent", m))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("message", self.on_message)
        self.finish_on("failed_auth", 2)
        self.finish_on_stream_end()

    async def on_register(self, _form):
        resp = self.Iq()
        resp["type"] = "set"
        resp["register"]["username"] = self.boundjid.user
        resp["register"]["password"] = self.password
        try:
            await resp.send(timeout=10)
            emit("registered")
        except IqError as e:
            self.finish(6, "register_error", **iq_error_fields(e))
            self.disconnect()
        except IqTimeout:
            self.finish(3, "register_error", condition="timeout")
            self.disconnect()

    async def on_session_start(self, _event):
        emit("session_start", jid=str(self.boundjid))
        a = self.args
        try:
            if a.presence:
                self.send_presence(ppriority=a.priority)
            if a.scenario == "register":
                await self.after_register()
            elif a.scenario == "carbons":
                await self["xep_0280"].enable(timeout=10)
                emit("carbons_enabled")
                for to in a.send_to:
                    msg = self.make_message(mto=to, mbody=a.body, mtype="chat")
                    if a.private:
                        msg.enable("carbon_private")
                    msg.send()
                    emit("sent", to=to)
                if self.carbons >= a.wait_carbons and not a.stay:
                    self.finish(0, "done")
            elif a.scenario == "adhoc":
                await self.run_adhoc()
        except IqError as e:
            self.finish(7, "iq_error", **iq_error_fields(e))
        except IqTimeout:
            self.finish(3, "iq_error", condition="timeout")
        except Exception as e:  # a bug in this script: say so at once instead of timing out
            logging.exception("scenario failed")
            self.finish(1, "crash", error=repr(e))

    async def after_register(self):
        a = self.args
        if a.change_password:
            await self["xep_0077"].change_password(a.change_password, jid=self.boundjid.domain, timeout=10)
            emit("password_changed")
        if a.cancel:
            await self["xep_0077"].cancel_registration(jid=self.boundjid.domain, timeout=10)
            emit("cancelled")
            return  # the server now ends the stream with not-authorized
        if not a.stay:
            self.finish(0, "done")

    async def run_adhoc(self):
        a = self.args
        domain = self.boundjid.domain
        items = await self["xep_0050"].get_commands(domain, timeout=10)
        emit("commands", nodes=[i[1] for i in items["disco_items"]["items"]])
        if not a.command:
            return self.finish(0, "done")
        try:
            first = await self["xep_0050"].send_command(domain, a.command, timeout=10)
        except IqError as e:
            return self.finish(0, "command_error", **iq_error_fields(e))
        cmd = first["command"]
        form = cmd["form"]
        emit("form", sessionid=cmd["sessionid"], status=cmd["status"], fields=list(form.get_fields().keys()))
        if cmd["status"] == "completed":
            return self.finish(0, "command_done", status="completed", notes=[n[1] for n in cmd["notes"]], values=form.get_values())
        reply = self["xep_0004"].make_form(ftype="submit")
        for pair in a.field:
            var, _, value = pair.partition("=")
            reply.add_field(var=var, value=value)
        try:
            done = await self["xep_0050"].send_command(domain, a.command, action="complete", payload=reply, sessionid=cmd["sessionid"], timeout=10)
        except IqError as e:
            return self.finish(0, "command_error", **iq_error_fields(e))
        dcmd = done["command"]
        self.finish(0, "command_done", status=dcmd["status"], notes=[n[1] for n in dcmd["notes"]], values=dcmd["form"].get_values())

    def on_carbon(self, direction, msg):
        inner = msg["carbon_received"] if direction == "received" else msg["carbon_sent"]
        self.carbons += 1
        emit("carbon", direction=direction, **{"from": str(msg["from"]), "to": str(msg["to"]), "inner_from": str(inner["from"]), "inner_to": str(inner["to"]), "body": inner["body"]})
        if self.carbons >= self.args.wait_carbons and self.sessionstarted and not self.args.stay:
            self.finish(0, "done")

    def on_message(self, msg):
        # Carbons are reported by on_carbon; here only plain messages.
        if msg.xml.find("{urn:xmpp:carbons:2}received") is not None or msg.xml.find("{urn:xmpp:carbons:2}sent") is not None:
            return
        emit("message", **{"from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"], "body": msg["body"]})


def main():
    p = arg_parser(__doc__, timeout=20.0)
    p.add_argument("scenario", choices=["register", "carbons", "adhoc"])
    p.add_argument("--resource")
    p.add_argument("--presence", action="store_true")
    p.add_argument("--priority", type=int, default=0)
    p.add_argument("--stay", action="store_true", help="do not finish on success; wait to be disconnected or killed")
    p.add_argument("--existing", action="store_true", help="register scenario: the account exists, only log in")
    p.add_argument("--change-password")
    p.add_argument("--cancel", action="store_true")
    p.add_argument("--send-to", action="append", default=[])
    p.add_argument("--body", default="hello")
    p.add_argument("--private", action="store_true", help="mark sent messages <private/> (XEP-0280 §7)")
    p.add_argument("--wait-carbons", type=int, default=0)
    p.add_argument("--command")
    p.add_argument("--field", action="append", default=[], help="var=value for the command form (repeatable)")
    args = parse_args(p, quiet=logging.ERROR)
    if args.resource:
        args.jid = f"{args.jid}/{args.resource}"
    run(make_peer(Peer, args))


if __name__ == "__main__":
    main()
