#!/usr/bin/python3
"""slixmpp 1.8.3 changing its password through the XEP-0077 §3.3 form, against a Parley that needs
the old password (docs/registration.md, "the §3.3 decision"):

  1. slixmpp's own xep_0077.change_password() (legacy <username/><password/>) is refused; the
     error iq is printed whole so the test can assert its exact shape.
  2. The form is taken from inside <error/> (error/query/x, Parley's strict placement), or with
     --form-from get from the up-front get (<registered/> + form); it is filled in with slixmpp's
     xep_0004 Form (username, old_password, password) and submitted as type 'submit'.

Prints JSON lines: {"event": "session_start"}, {"event": "legacy_refused", "iq": "<iq ...>"},
{"event": "form", "source": "error"|"get", "fields": [...]}, {"event": "password_changed"} |
{"event": "iq_error", "condition": ..., "type": ..., "code": ...}, {"event": "done"}.
Exit 0 on success, 2 auth failure, 3 timeout, 7 iq error, 1 script bug.
"""
import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0004 import Form

NS_REGISTER = "jabber:iq:register"
NS_DATA = "jabber:x:data"


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class Changer(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.finished = asyncio.get_event_loop().create_future()
        for plugin in ("xep_0030", "xep_0004", "xep_0066", "xep_0077"):
            self.register_plugin(plugin)
        self["xep_0077"].force_registration = False
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda _=None: self.finish(2, "failed_auth"))
        self.add_event_handler("connection_failed", lambda e=None: self.finish(4, "connection_failed", reason=str(e)))

    def finish(self, exit_code, event, **fields):
        if event:
            emit(event, **fields)
        if not self.finished.done():
            self.finished.set_result(exit_code)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    async def on_session_start(self, _event):
        emit("session_start", jid=str(self.boundjid))
        a = self.args
        domain = self.boundjid.domain
        try:
            form_xml = None
            try:
                await self["xep_0077"].change_password(a.new_password, jid=domain, timeout=10)
                return self.finish(8, "legacy_accepted")
            except IqError as e:
                emit("legacy_refused", iq=str(e.iq))
                form_xml = e.iq["error"].xml.find(f"{{{NS_REGISTER}}}query/{{{NS_DATA}}}x")
            source = "error"
            if a.form_from == "get":
                reply = await self["xep_0077"].get_registration(jid=domain, timeout=10)
                form_xml = reply.xml.find(f"{{{NS_REGISTER}}}query/{{{NS_DATA}}}x")
                source = "get"
            if form_xml is None:
                return self.finish(9, "no_form", source=source)
            form = Form(xml=form_xml)
            emit("form", source=source, form_type=form.get_values().get("FORM_TYPE"), fields=list(form.get_fields().keys()))
            form.reply()  # XEP-0004 §3.1: becomes type 'submit' (slixmpp drops labels, keeps FORM_TYPE)
            form.set_values({"username": self.boundjid.bare, "old_password": a.old_password, "password": a.new_password})
            iq = self.Iq()
            iq["type"] = "set"
            iq["to"] = domain
            iq["register"].append(form)
            await iq.send(timeout=10)
            emit("password_changed")
            self.finish(0, "done")
        except IqError as e:
            err = e.iq["error"]
            self.finish(7, "iq_error", condition=err["condition"], type=err["type"], code=err.xml.get("code"), text=err["text"])
        except IqTimeout:
            self.finish(3, "iq_error", condition="timeout")
        except Exception as e:
            logging.exception("scenario failed")
            self.finish(1, "crash", error=repr(e))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True, help="the current password (login)")
    p.add_argument("--old-password", required=True, help="what to put in the form's old_password")
    p.add_argument("--new-password", required=True)
    p.add_argument("--form-from", choices=["error", "get"], default="error")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--timeout", type=float, default=20.0)
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    xmpp = Changer(args)
    xmpp.ca_certs = Path(args.ca)
    xmpp["feature_mechanisms"].use_mech = "PLAIN"
    xmpp.reconnect_max_attempts = 0
    xmpp.connect((args.host, args.port), force_starttls=True)

    async def run():
        try:
            return await asyncio.wait_for(asyncio.shield(xmpp.finished), timeout=args.timeout)
        except asyncio.TimeoutError:
            emit("timeout", seconds=args.timeout)
            return 3

    code = loop.run_until_complete(run())
    xmpp.disconnect(wait=1.0)
    try:
        loop.run_until_complete(asyncio.wait_for(xmpp.disconnected, timeout=3))
    except Exception:
        pass
    sys.exit(code)


if __name__ == "__main__":
    main()
