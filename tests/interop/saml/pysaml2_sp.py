#!/usr/bin/python3
"""A SAML service provider built on pysaml2 (Debian's python3-pysaml2), driven by the interop
tests over stdin/stdout (one JSON object per line each way). It validates Gatehouse's messages with
its own code; it also serves a SOAP SingleLogoutService on its own loopback port, so Gatehouse's
outbox can sign it out over the back channel.

Run with Debian's /usr/bin/python3: the Debian package is not importable from other Pythons."""
import base64
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

work = tempfile.mkdtemp(prefix="pysaml2-sp-")
key_file, cert_file = os.path.join(work, "sp.key"), os.path.join(work, "sp.crt")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key_file,
                "-out", cert_file, "-subj", "/CN=pysaml2-sp", "-days", "2"], check=True,
               capture_output=True)

received = []  # IdP-initiated LogoutRequests, as this SP understood them
client = None


class SoapHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        try:
            request = client.parse_logout_request(body, BINDING_SOAP)
            name_id = request.message.name_id
            received.append({"name_id": name_id.text, "sp_name_qualifier": name_id.sp_name_qualifier,
                             "session_index": [s.text for s in request.message.session_index],
                             "issuer": request.message.issuer.text})
            info = client.handle_logout_request(body, name_id, BINDING_SOAP, sign=True,
                                                sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
            data = info["data"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except Exception as e:  # the IdP must see a failure, not a hang
            received.append({"error": repr(e)})
            self.send_response(500)
            self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SoapHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % server.server_port


def init(idp_metadata):
    global client
    conf = {
        "entityid": base + "/sp/metadata",
        "key_file": key_file, "cert_file": cert_file,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "metadata": {"inline": [idp_metadata]},
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(base + "/sp/acs", BINDING_HTTP_POST)],
                "single_logout_service": [(base + "/sp/soap", BINDING_SOAP),
                                          (base + "/sp/sls", BINDING_HTTP_REDIRECT),
                                          (base + "/sp/sls", BINDING_HTTP_POST)]},
            "authn_requests_signed": True, "logout_requests_signed": True,
            "want_assertions_signed": True, "want_response_signed": False,
            "allow_unknown_attributes": True,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT]}}}
    cfg = SPConfig()
    cfg.load(conf)
    client = Saml2Client(config=cfg)
    return {"metadata": create_metadata_string(None, config=cfg, valid=24, sign=False).decode(),
            "entity_id": conf["entityid"]}


def idp_entity():
    return next(iter(client.metadata.identity_providers()))


def authn(binding):
    req_binding = BINDING_HTTP_POST if binding == "post" else BINDING_HTTP_REDIRECT
    reqid, info = client.prepare_for_authenticate(
        entityid=idp_entity(), relay_state="rs-1", binding=req_binding, sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256, sign=True)
    client.outstanding = getattr(client, "outstanding", {})
    client.outstanding[reqid] = "/"
    if req_binding == BINDING_HTTP_REDIRECT:
        return {"id": reqid, "url": dict(info["headers"])["Location"]}
    return {"id": reqid, "html": info["data"]}


def acs(response):
    parsed = client.parse_authn_request_response(response, BINDING_HTTP_POST,
                                                 outstanding=getattr(client, "outstanding", {}))
    subject = parsed.get_subject()
    return {"name_id": subject.text, "format": subject.format,
            "sp_name_qualifier": subject.sp_name_qualifier,
            "name_qualifier": subject.name_qualifier,
            "session_index": parsed.assertion.authn_statement[0].session_index,
            "attributes": parsed.ava, "in_response_to": parsed.in_response_to}


def logout(binding):
    name_id = next(iter(client.users.subjects()))
    expected = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST,
                "soap": BINDING_SOAP}[binding]
    result = client.do_logout(name_id, [idp_entity()], "urn:oasis:names:tc:SAML:2.0:logout:user",
                              None, sign=True, expected_binding=expected,
                              sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256,
                              relay_state="logout-rs")
    (entity, answer), = result.items()
    if binding == "soap":
        if not answer:
            return {"ok": False}
        return {"ok": True, "status": answer.response.status.status_code.value,
                "second": (answer.response.status.status_code.status_code.value
                           if answer.response.status.status_code.status_code else None)}
    binding_used, info = answer
    if binding == "redirect":
        return {"url": dict(info["headers"])["Location"]}
    return {"html": info["data"]}


def logout_response(binding, message, query):
    b = BINDING_HTTP_REDIRECT if binding == "redirect" else BINDING_HTTP_POST
    if b == BINDING_HTTP_REDIRECT:
        # pysaml2 7.0.1 re-encodes the query before verifying (pysaml2#957); verify the raw
        # octets with the IdP's metadata certificate instead, as Bindings §3.4.4.1 asks.
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.x509 import load_der_x509_certificate
        raw = dict(p.split("=", 1) for p in query.split("&"))
        signed = "&".join("%s=%s" % (k, raw[k]) for k in ("SAMLResponse", "RelayState", "SigAlg")
                          if k in raw)
        cert = client.metadata.certs(idp_entity(), "any", "signing")[0]
        cert_b64 = "".join((cert[1] if isinstance(cert, tuple) else cert).split())
        key = load_der_x509_certificate(base64.b64decode(cert_b64)).public_key()
        signature = base64.b64decode(urllib.parse.unquote(raw["Signature"]))
        key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    parsed = client.parse_logout_request_response(message, b)
    status = parsed.response.status.status_code
    return {"ok": True, "status": status.value,
            "second": status.status_code.value if status.status_code else None,
            "in_response_to": parsed.response.in_response_to}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "init":
                out = init(req["idp_metadata"])
            elif cmd == "authn":
                out = authn(req.get("binding", "redirect"))
            elif cmd == "acs":
                out = acs(req["response"])
            elif cmd == "logout":
                out = logout(req["binding"])
            elif cmd == "logout_response":
                out = logout_response(req["binding"], req["message"], req.get("query", ""))
            elif cmd == "received":
                out = {"received": received}
            else:
                out = {"error": "unknown command " + cmd}
        except Exception as e:
            out = {"error": repr(e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


main()
