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
import logging

from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0004 import Form

import slix_common
from slix_common import arg_parser, emit, make_peer, parse_args, run

NS_REGISTER = "jabber:iq:register"
NS_DATA = "jabber:x:data"


class Changer(slix_common.Peer):
    def __init__(self, args):
        super().__init__(args, plugins=("xep_0030", "xep_0004", "xep_0066", "xep_0077"))
        self["xep_0077"].force_registration = False
        self.add_event_handler("session_start", self.on_session_start)
        self.finish_on("failed_auth", 2)

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
    p = arg_parser(__doc__, timeout=20.0)
    p.add_argument("--old-password", required=True, help="what to put in the form's old_password")
    p.add_argument("--new-password", required=True)
    p.add_argument("--form-from", choices=["error", "get"], default="error")
    run(make_peer(Changer, parse_args(p, quiet=logging.ERROR)), close="always")


if __name__ == "__main__":
    main()
