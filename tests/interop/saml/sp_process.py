"""What the SAML SP processes of the interop tests share (pysaml2_sp.py, lasso_sp.py): a fresh
signing key and certificate, a SOAP SingleLogoutService on an ephemeral loopback port, and the
JSON-lines command loop the tests drive them with."""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading


def make_credentials(name):
    """A new RSA-2048 key and self-signed certificate in a private directory: (dir, key, cert)."""
    work = tempfile.mkdtemp(prefix=name + "-")
    key_file, cert_file = os.path.join(work, "sp.key"), os.path.join(work, "sp.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    key_file, "-out", cert_file, "-subj", "/CN=" + name, "-days", "2"],
                   check=True, capture_output=True)
    return work, key_file, cert_file


def serve_soap(handle):
    """Serves POSTs on 127.0.0.1:<ephemeral> with `handle(body) -> (status, bytes)`, answered as
    text/xml; returns the server (its port is server.server_port)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            status, data = handle(body)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


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
