"""What the slix_*.py test peers share: JSON-lines output, the command-line options every one of
them takes, a ClientXMPP base that connects exactly where it is told and ends the script through
finish(), a JSON command reader for stdin, and the run loop (connect, wait with a timeout, close,
exit). Each script imports it from its own directory (Python puts a script's directory first on
sys.path), so `/usr/bin/python3 test/helpers/slix_x.py` works from any working directory.

Exit codes the scripts share: 0 done, 1 crash, 2 authentication failed, 3 timed out, 4 could not
connect, 5 stream error or disconnected before done; scripts add their own from 6 on.
"""
import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import slixmpp


def emit(event, **fields):
    """One JSON object per line on stdout: what the TypeScript side (slix-process.ts) reads."""
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


# asyncio holds tasks weakly: a task nobody references can be collected mid-await.
_tasks = set()


def spawn(coro):
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


def arg_parser(doc, timeout):
    """The options every peer takes (--jid --password --host --port --ca --timeout --debug)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True, help="the account's password (login)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True, help="PEM file of the CA that signed the server certificate")
    p.add_argument("--timeout", type=float, default=timeout, help="give up after this many seconds")
    p.add_argument("--debug", action="store_true", help="slixmpp's log on stderr")
    return p


def parse_args(parser, quiet=logging.CRITICAL):
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else quiet, stream=sys.stderr)
    return args


class Peer(slixmpp.ClientXMPP):
    """A test peer: connects to --host/--port (no SRV, no resolving the domain: localhost may be
    ::1), and ends the script with finish(code, event); a connection failure ends it with 4."""

    def __init__(self, args, plugins=()):
        super().__init__(args.jid, args.password)
        self.args = args
        self.finished = asyncio.get_event_loop().create_future()
        for plugin in plugins:
            self.register_plugin(plugin)
        self.add_event_handler("connection_failed", lambda e=None: self.finish(4, "connection_failed", reason=str(e)))

    def finish(self, exit_code, event=None, **fields):
        """Print event (fields may include one named 'code') and end the script with exit_code."""
        if event:
            emit(event, **fields)
        if not self.finished.done():
            self.finished.set_result(exit_code)

    def finish_on(self, slix_event, code, event=None):
        """finish(code, event) when slixmpp fires slix_event (event defaults to its name)."""
        self.add_event_handler(slix_event, lambda _=None: self.finish(code, event or slix_event))

    def finish_on_stream_end(self):
        """A stream error or a disconnect before done ends the script with 5."""
        self.add_event_handler("stream_error", lambda e: self.finish(5, "stream_error", condition=e["condition"], text=e["text"]))
        self.finish_on("disconnected", 5)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.args.host, self.args.port)]

    def credentials_without_binding(self, required, optional):
        """A client that does no channel binding (gs2 flag 'n'): slixmpp's default 'y' with a
        non -PLUS mechanism is a downgrade signal a server offering -PLUS must refuse (RFC 5802 §6)."""
        creds = self["feature_mechanisms"]._default_credentials(required, optional)
        if "channel_binding" in creds:
            creds["channel_binding"] = None
        return creds

    async def read_commands(self):
        """One JSON command per line on stdin, each run as self.run(cmd) (the subclass's); {"op":
        "quit"} disconnects and finishes with 0. Start it with spawn(self.read_commands())."""
        reader = asyncio.StreamReader()
        await asyncio.get_event_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while not self.finished.done():
            line = await reader.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                cmd = json.loads(line)
            except ValueError:
                emit("bad_command", line=line.decode(errors="replace"))
                continue
            if cmd.get("op") == "quit":
                self.disconnect(wait=1.0)
                self.finish(0, "done")
                return
            spawn(self.run(cmd))


def make_peer(cls, args, mechanism="PLAIN"):
    """A new event loop and cls(args) on it: trusts --ca, uses only `mechanism` (None: any), never reconnects."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    xmpp = cls(args)
    xmpp.ca_certs = Path(args.ca)
    if mechanism:
        xmpp["feature_mechanisms"].use_mech = mechanism
    xmpp.reconnect_max_attempts = 0  # a test wants the first outcome
    return xmpp


def run(xmpp, close="success", direct_tls=False):
    """Connect (STARTTLS, or XEP-0368 Direct TLS), wait for finish() up to --timeout ({"event":
    "timeout"}, code 3), close the stream and exit with the code. close: "success" disconnects and
    waits when the code is 0, "always" whatever the code, "wait" only waits (the script has
    disconnected itself), "no" exits at once."""
    args, loop = xmpp.args, xmpp.loop
    xmpp.connect((args.host, args.port), use_ssl=direct_tls, force_starttls=not direct_tls)

    async def finished():
        try:
            return await asyncio.wait_for(asyncio.shield(xmpp.finished), timeout=args.timeout)
        except asyncio.TimeoutError:
            emit("timeout", seconds=args.timeout)
            return 3

    code = loop.run_until_complete(finished())
    if close == "always" or (close == "success" and code == 0):
        xmpp.disconnect(wait=1.0)
    if close == "always" or close == "wait" or (close == "success" and code == 0):
        try:
            loop.run_until_complete(asyncio.wait_for(xmpp.disconnected, timeout=3))
        except Exception:
            pass
    sys.exit(code)
