"""A loopback EWS endpoint behind Windows authentication, the way IIS runs it: each
connection is authenticated on its own by an NTLM handshake, checked here by pyspnego's NTLM
acceptor (an implementation independent of the client under test).

    ntlm_server.py SCHEME RESPONSE_FILE [--reauth-after N] [--close-after-auth] [--files DIR]

SCHEME is the HTTP scheme offered and expected (NTLM or Negotiate; with Negotiate the
tokens are raw NTLM messages, as Windows clients send them). The users come from the file
named by NTLM_USER_FILE (lines DOMAIN:USER:PASSWORD); LM_COMPAT_LEVEL=5 makes the acceptor
take NTLMv2 only. The port is printed on standard output, then requests are served until
the process is killed:

- on a connection not authenticated yet, a request without credentials gets 401 with
  `WWW-Authenticate: SCHEME`; `Authorization: SCHEME <negotiate>` gets 401 with the
  challenge; `Authorization: SCHEME <authenticate>` gets RESPONSE_FILE if the acceptor
  accepts it, else 401;
- later requests on an authenticated connection get RESPONSE_FILE without credentials;
  with --reauth-after N the connection forgets its authentication after N answers, so the
  next request gets 401 again; with --close-after-auth every answer closes the connection;
- with --files DIR, GET /EWS/NAME answers with the file NAME of DIR, byte for byte, under
  the same authentication (a server's schema: types.xsd, messages.xsd, Services.wsdl);
- GET /stats answers, without authentication, with the counts of completed handshakes,
  failed handshakes, and answers served, as JSON.
"""

import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import spnego

STATS = {"handshakes": 0, "failed": 0, "answers": 0, "users": []}
LOCK = threading.Lock()


def count(key, user=None):
    with LOCK:
        STATS[key] += 1
        if user is not None:
            STATS["users"].append(user)


def make_handler(scheme, body, reauth_after, close_after_auth, files):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.context = None
            self.authenticated_answers = None

        def log_message(self, format, *args):
            pass

        def reply(self, status, payload=b"", headers=(), close=False):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)

        def refuse(self, token=None):
            challenge = scheme if token is None else f"{scheme} {base64.b64encode(token).decode()}"
            self.reply(401, b"", [("WWW-Authenticate", challenge)])

        def answer(self):
            count("answers")
            self.authenticated_answers += 1
            if reauth_after and self.authenticated_answers >= reauth_after:
                self.authenticated_answers = None
            if self.command == "GET":
                name = os.path.basename(self.path)
                try:
                    with open(os.path.join(files, name), "rb") as f:
                        payload = f.read()
                except OSError:
                    return self.reply(404)
                return self.reply(200, payload, [("Content-Type", "text/xml")], close_after_auth)
            self.reply(200, body, [("Content-Type", "text/xml; charset=utf-8")], close_after_auth)

        def do_GET(self):
            if self.path == "/stats":
                with LOCK:
                    payload = json.dumps(STATS).encode()
                self.reply(200, payload, [("Content-Type", "application/json")])
            elif files and self.path.startswith("/EWS/"):
                self.authenticate()
            else:
                self.reply(404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            self.authenticate()

        def authenticate(self):
            if self.authenticated_answers is not None:
                return self.answer()
            header = self.headers.get("Authorization", "")
            name, _, value = header.partition(" ")
            if name.lower() != scheme.lower() or not value:
                return self.refuse()
            try:
                token = base64.b64decode(value)
            except ValueError:
                return self.refuse()
            if token[8:12] == b"\x01\x00\x00\x00":
                self.context = spnego.server(protocol="ntlm")
                try:
                    challenge = self.context.step(token)
                except spnego.exceptions.SpnegoError:
                    count("failed")
                    return self.refuse()
                return self.refuse(challenge)
            if self.context is None:
                count("failed")
                return self.refuse()
            try:
                self.context.step(token)
            except spnego.exceptions.SpnegoError:
                self.context = None
                count("failed")
                return self.refuse()
            if not self.context.complete:
                count("failed")
                return self.refuse()
            count("handshakes", self.context.client_principal)
            self.context = None
            self.authenticated_answers = 0
            return self.answer()

    return Handler


def main(argv):
    scheme, response_file = argv[0], argv[1]
    reauth_after = 0
    close_after_auth = "--close-after-auth" in argv
    files = argv[argv.index("--files") + 1] if "--files" in argv else None
    if "--reauth-after" in argv:
        reauth_after = int(argv[argv.index("--reauth-after") + 1])
    with open(response_file, "rb") as f:
        body = f.read()
    handler = make_handler(scheme, body, reauth_after, close_after_auth, files)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
