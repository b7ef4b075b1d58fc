"""A loopback EWS endpoint behind Windows authentication, the way IIS runs it: each
connection is authenticated on its own by a handshake that implementations independent of
the client under test check: pyspnego's NTLM acceptor, and MIT Kerberos's GSSAPI acceptor
(python-gssapi) for Kerberos.

    windows_auth_server.py SCHEME RESPONSE_FILE [--reauth-after N] [--close-after-auth]
        [--files DIR] [--tls CERT KEY] [--binding-of CERT] [--no-ntlm] [--bad-final-token]

SCHEME is the HTTP scheme offered and expected:
- NTLM: NTLM messages (pyspnego's NTLM acceptor);
- Negotiate: raw NTLM messages (as Windows clients send them without SPNEGO), SPNEGO
  carrying NTLM (pyspnego's SPNEGO acceptor), or Kerberos, raw or in SPNEGO (MIT's GSSAPI
  acceptor, with its own SPNEGO; the service keys come from the keytab in KRB5_KTNAME, the
  realm from KRB5_CONFIG).
The users of NTLM come from the file named by NTLM_USER_FILE (lines DOMAIN:USER:PASSWORD);
LM_COMPAT_LEVEL=5 makes the acceptor take NTLMv2 only. The port is printed on standard
output, then requests are served until the process is killed:

- on a connection not authenticated yet, a request without credentials gets 401 with
  `WWW-Authenticate: SCHEME`; each handshake token gets 401 with the acceptor's next token,
  until the acceptor completes: then RESPONSE_FILE, with the acceptor's final token if it
  has one; a token the acceptor refuses gets 401 with `WWW-Authenticate: SCHEME`;
- later requests on an authenticated connection get RESPONSE_FILE without credentials;
  with --reauth-after N the connection forgets its authentication after N answers, so the
  next request gets 401 again; with --close-after-auth every answer closes the connection;
- with --files DIR, GET /EWS/NAME answers with the file NAME of DIR, byte for byte, under
  the same authentication (a server's schema: types.xsd, messages.xsd, Services.wsdl);
- with --tls CERT KEY, the endpoint speaks HTTPS with that certificate and key (PEM);
- with --binding-of CERT, authentication is accepted only when bound to the TLS channel of
  the certificate CERT (RFC 5929 tls-server-end-point, computed here with `cryptography`),
  as Extended Protection for Authentication set to Require does it: NTLM's
  MsvAvChannelBindings must match (pyspnego), and Kerberos's bindings must match and be
  present (MIT sets the channel-bound flag); CERT need not be the certificate served, which
  models a client whose TLS ends elsewhere (a proxy);
- with --no-ntlm, NTLM is refused, as on servers that turned NTLM off;
- with --bad-final-token, the final Kerberos token is changed, as a server that does not
  hold the service key would send;
- GET /stats answers, without authentication, with the counts of completed handshakes,
  failed handshakes, answers served and Kerberos handshakes begun in SPNEGO, the users and
  the protocols, as JSON.
"""

import base64
import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import spnego
from spnego.channel_bindings import GssChannelBindings

try:
    import gssapi
except ImportError:
    gssapi = None

STATS = {"handshakes": 0, "failed": 0, "answers": 0, "users": [], "protocols": [], "spnego": 0}
LOCK = threading.Lock()


def count(key, user=None, protocol=None):
    with LOCK:
        STATS[key] += 1
        if user is not None:
            STATS["users"].append(user)
        if protocol is not None:
            STATS["protocols"].append(protocol)


def end_point_binding(cert_file):
    """The tls-server-end-point application data of the certificate in cert_file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    with open(cert_file, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    algorithm = cert.signature_hash_algorithm
    if algorithm is None or isinstance(algorithm, (hashes.MD5, hashes.SHA1)):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(cert.public_bytes(Encoding.DER))
    return b"tls-server-end-point:" + digest.finalize()


class Refused(Exception):
    pass


class NtlmAcceptor:
    """NTLM, raw or in SPNEGO, by pyspnego."""

    def __init__(self, protocol, binding):
        bindings = GssChannelBindings(application_data=binding) if binding else None
        self.context = spnego.server(protocol=protocol, channel_bindings=bindings)

    def step(self, token):
        try:
            return self.context.step(token)
        except spnego.exceptions.SpnegoError as e:
            raise Refused(str(e))

    @property
    def complete(self):
        return self.context.complete

    def result(self):
        return self.context.client_principal, "ntlm"


class KerberosAcceptor:
    """Kerberos, raw or in SPNEGO, by MIT's GSSAPI."""

    def __init__(self, binding):
        self.binding = binding
        kwargs = {}
        if binding:
            kwargs["channel_bindings"] = gssapi.raw.ChannelBindings(application_data=binding)
        self.context = gssapi.SecurityContext(usage="accept", **kwargs)

    def step(self, token):
        try:
            return self.context.step(token)
        except gssapi.exceptions.GSSError as e:
            raise Refused(str(e))

    @property
    def complete(self):
        return self.context.complete

    def result(self):
        if self.binding and gssapi.RequirementFlag.channel_bound not in self.context.actual_flags:
            raise Refused("the initiator sent no channel bindings")
        return str(self.context.initiator_name), "kerberos"


SPNEGO_OID = bytes.fromhex("06062b0601050502")
MECHANISMS = [
    (bytes.fromhex("06092a864886f712010202"), "kerberos"),
    (bytes.fromhex("06092a864882f712010202"), "kerberos"),  # Microsoft's OID of Kerberos
    (bytes.fromhex("060a2b06010401823702020a"), "ntlm"),
]


def is_ntlm(token):
    """Whether a first token is NTLM: raw, or SPNEGO listing NTLM first."""
    if token.startswith(b"NTLMSSP\x00"):
        return True
    found = [(token.find(oid), name) for oid, name in MECHANISMS if token.find(oid) >= 0]
    return bool(found) and min(found)[1] == "ntlm"


def make_handler(options):
    scheme = options["scheme"]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.acceptor = None
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

        def challenge(self, token=None):
            if token is None:
                return [("WWW-Authenticate", scheme)]
            return [("WWW-Authenticate", f"{scheme} {base64.b64encode(token).decode()}")]

        def refuse(self, reason=None):
            if reason is not None:
                count("failed")
                print(f"refused: {reason}", file=sys.stderr, flush=True)
            self.acceptor = None
            self.reply(401, b"", self.challenge())

        def answer(self, headers=()):
            count("answers")
            self.authenticated_answers += 1
            if options["reauth_after"] and self.authenticated_answers >= options["reauth_after"]:
                self.authenticated_answers = None
            close = options["close_after_auth"]
            if self.command == "GET":
                name = os.path.basename(self.path)
                try:
                    with open(os.path.join(options["files"], name), "rb") as f:
                        payload = f.read()
                except OSError:
                    return self.reply(404)
                return self.reply(200, payload, [("Content-Type", "text/xml"), *headers], close)
            content_type = ("Content-Type", "text/xml; charset=utf-8")
            self.reply(200, options["body"], [content_type, *headers], close)

        def do_GET(self):
            if self.path == "/stats":
                with LOCK:
                    payload = json.dumps(STATS).encode()
                self.reply(200, payload, [("Content-Type", "application/json")])
            elif options["files"] and self.path.startswith("/EWS/"):
                self.authenticate()
            else:
                self.reply(404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            self.authenticate()

        def new_acceptor(self, token):
            binding = options["binding"]
            if scheme.lower() == "ntlm":
                return NtlmAcceptor("ntlm", binding)
            if is_ntlm(token):
                if options["no_ntlm"]:
                    raise Refused("NTLM is turned off")
                return NtlmAcceptor("negotiate", binding)
            if gssapi is None:
                raise Refused("no GSSAPI to accept Kerberos with")
            if token[:1] == b"\x60" and SPNEGO_OID in token[:16]:
                count("spnego")
            return KerberosAcceptor(binding)

        def authenticate(self):
            if self.authenticated_answers is not None:
                return self.answer()
            header = self.headers.get("Authorization", "")
            name, _, value = header.partition(" ")
            if name.lower() != scheme.lower() or not value.strip():
                return self.refuse()
            try:
                token = base64.b64decode(value.strip(), validate=True)
            except ValueError:
                return self.refuse("the token is not base64")
            try:
                if self.acceptor is None:
                    self.acceptor = self.new_acceptor(token)
                out = self.acceptor.step(token)
                if not self.acceptor.complete:
                    return self.reply(401, b"", self.challenge(out))
                user, protocol = self.acceptor.result()
            except Refused as e:
                return self.refuse(e)
            except Exception as e:  # a GSSAPI error raised when asked for the outcome
                return self.refuse(repr(e))
            count("handshakes", user, protocol)
            self.acceptor = None
            self.authenticated_answers = 0
            if out and options["bad_final_token"]:
                out = out[:-8] + bytes(b ^ 0x55 for b in out[-8:])
            return self.answer(self.challenge(out) if out else ())

    return Handler


def main(argv):
    def value(flag, count=1):
        if flag not in argv:
            return None
        at = argv.index(flag)
        return argv[at + 1] if count == 1 else argv[at + 1 : at + 1 + count]

    with open(argv[1], "rb") as f:
        body = f.read()
    binding_of = value("--binding-of")
    options = {
        "scheme": argv[0],
        "body": body,
        "reauth_after": int(value("--reauth-after") or 0),
        "close_after_auth": "--close-after-auth" in argv,
        "files": value("--files"),
        "binding": end_point_binding(binding_of) if binding_of else None,
        "no_ntlm": "--no-ntlm" in argv,
        "bad_final_token": "--bad-final-token" in argv,
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(options))
    server.daemon_threads = True
    tls = value("--tls", 2)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
