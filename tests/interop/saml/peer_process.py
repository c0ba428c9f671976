"""What the SAML peer processes of the interop tests share (pysaml2_sp.py, lasso_sp.py,
pysaml2_idp.py): a fresh signing key and certificate, a SOAP SingleLogoutService on an ephemeral
loopback port, HTTP-Redirect signatures checked over the raw query, and the JSON-lines command
loop the tests drive them with."""
import base64
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.parse


def make_credentials(name):
    """A new RSA-2048 key and self-signed certificate in a private directory: (dir, key, cert)."""
    work = tempfile.mkdtemp(prefix=name + "-")
    key_file, cert_file = os.path.join(work, "sp.key"), os.path.join(work, "sp.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    key_file, "-out", cert_file, "-subj", "/CN=" + name, "-days", "2"],
                   check=True, capture_output=True)
    return work, key_file, cert_file


def serve(handle, method="POST"):
    """Serves `method` requests on 127.0.0.1:<ephemeral> with `handle(body) -> (status, bytes)`,
    answered as text/xml; returns the server (its port is server.server_port)."""

    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        status, data = handle(body)
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    handler = type("Handler", (http.server.BaseHTTPRequestHandler,),
                   {"do_" + method: answer, "log_message": lambda self, *args: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def verify_redirect_signature(query, message_param, cert_b64):
    """Verifies an HTTP-Redirect signature over the raw query octets with a metadata certificate,
    as Bindings §3.4.4.1 asks (pysaml2 7.0.1 re-encodes the query first, pysaml2#957); returns
    the still-encoded message."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.x509 import load_der_x509_certificate
    raw = dict(p.split("=", 1) for p in query.split("&"))
    signed = "&".join("%s=%s" % (k, raw[k]) for k in (message_param, "RelayState", "SigAlg")
                      if k in raw)
    key = load_der_x509_certificate(base64.b64decode("".join(cert_b64.split()))).public_key()
    signature = base64.b64decode(urllib.parse.unquote(raw["Signature"]))
    key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return urllib.parse.unquote(raw[message_param])


def run(commands):
    """Answers one JSON object per stdin line with one per stdout line: {"cmd": name, ...args} calls
    commands[name](**args); an exception becomes {"error": ...}."""
    for line in sys.stdin:
        request = json.loads(line)
        name = request.pop("cmd", None)
        try:
            out = commands[name](**request) if name in commands else {
                "error": "unknown command %s" % name}
        except Exception as e:
            out = {"error": repr(e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
