#!/usr/bin/python3
"""Wiki: the demo's SAML 2.0 service provider, built on lasso (Debian's python3-lasso, the library
under mod_auth_mellon), so that a SAML app that is not Gatehouse's code signs in and out beside the
OpenID Connect apps Mail and Docs.

It signs in with a signed AuthnRequest (HTTP-Redirect) and takes the Response at /acs (HTTP-POST).
Its Sign out sends a signed LogoutRequest over HTTP-Redirect; Gatehouse signs it out over SOAP
(/soap) or through the browser (/sls), whichever the registration prefers. Each local session is
found by the NameID and SessionIndex the IdP names, not by a cookie, so a sign-out reaches it even
from an iframe whose third-party cookies the browser blocks.

    /usr/bin/python3 apps/saml-wiki/wiki.py --issuer http://127.0.0.1:8080 \\
        --base-url http://127.0.0.1:8083 --state-dir var/wiki

writes its signing key, certificate and metadata (metadata.xml, for `gatehouse saml sp add`) to
the state directory the first time, and reuses them after.

--hang makes its sign-out endpoints (/sls, /soap) accept and never answer: an SP that hangs, for
the test that shows it cannot stop the sign-out of the others. Debian's python3-lasso loads only
under /usr/bin/python3."""
import argparse
import hmac
import html
import http.cookies
import http.server
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import lasso

COOKIE = "wiki_session"
SOAP_ACTION = "http://www.oasis-open.org/committees/security"

METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{base}/metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="{base}/soap"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{base}/sls"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{base}/acs"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""

STYLE = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#dfe3ea; --accent:#8a3ffc; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink);
       background:#f4f6fa; }
nav { display:flex; align-items:center; gap:1.25rem; padding:.75rem 1.5rem;
      background:var(--accent); color:#fff; }
nav a { color:#fff; text-decoration:none; }
nav .brand { font-weight:700; font-size:1.15rem; }
nav .spacer { flex:1; }
nav form { margin:0; }
nav button, a.button { font:inherit; padding:.35rem .9rem; border-radius:6px; border:1px solid #fff;
      background:transparent; color:#fff; cursor:pointer; text-decoration:none; }
a.button.primary { display:inline-block; background:var(--accent); margin-top:.5rem; }
main { max-width:44rem; margin:2.5rem auto; background:#fff; border:1px solid var(--line);
       border-radius:12px; padding:2rem 2.25rem; }
h1 { font-size:1.4rem; margin:0 0 1rem; }
th, td { text-align:left; padding:.45rem .5rem; border-bottom:1px solid var(--line); }
th { color:var(--muted); font-weight:500; }
"""


class Sessions:
    """The app's signed-in sessions, by cookie and by what the IdP calls them (NameID, SessionIndex)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_cookie = {}

    def add(self, record):
        cookie = secrets.token_urlsafe(32)
        with self.lock:
            self.by_cookie[cookie] = record
        return cookie

    def get(self, cookie):
        with self.lock:
            return self.by_cookie.get(cookie) if cookie else None

    def remove(self, cookie):
        with self.lock:
            return self.by_cookie.pop(cookie, None)

    def remove_by_idp_name(self, name_id, session_index):
        """Removes the session the IdP's LogoutRequest names; returns its lasso session dump."""
        with self.lock:
            for cookie, record in list(self.by_cookie.items()):
                if record["name_id"] == name_id and (
                        not session_index or record["session_index"] == session_index):
                    return self.by_cookie.pop(cookie)["dump"]
        return None


class Wiki:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.sessions = Sessions()
        state = args.state_dir
        os.makedirs(state, mode=0o700, exist_ok=True)
        key, cert = os.path.join(state, "sp.key"), os.path.join(state, "sp.crt")
        if not os.path.exists(key):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                            key, "-out", cert, "-subj", "/CN=wiki", "-days", "3650"], check=True,
                           capture_output=True)
        with open(cert) as f:
            der_b64 = "".join(line for line in f.read().splitlines() if "-----" not in line)
        self.metadata = METADATA.format(base=self.base, cert=der_b64)
        metadata_file = os.path.join(state, "metadata.xml")
        with open(metadata_file, "w") as f:
            f.write(self.metadata)
        idp_metadata = urllib.request.urlopen(args.issuer.rstrip("/") + "/saml/metadata",
                                              timeout=10).read().decode()
        self.server = lasso.Server(metadata_file, key, None, cert)
        self.server.addProviderFromBuffer(lasso.PROVIDER_ROLE_IDP, idp_metadata)
        self.server.signatureMethod = lasso.SIGNATURE_METHOD_RSA_SHA256
        self.idp = next(iter(self.server.providerIds))
        # lasso objects are not thread-safe; the app is small, so one lock serialises them.
        self.lasso_lock = threading.Lock()
        self.csrf_key = secrets.token_bytes(32)

    def csrf_token(self, cookie):
        return hmac.new(self.csrf_key, (cookie or "").encode(), "sha256").hexdigest()

    # --- SAML ---------------------------------------------------------------------------------

    def authn_request_url(self, return_to):
        with self.lasso_lock:
            login = lasso.Login(self.server)
            login.initAuthnRequest(self.idp, lasso.HTTP_METHOD_REDIRECT)
            login.request.nameIdPolicy.format = lasso.SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT
            login.request.nameIdPolicy.allowCreate = True
            login.msgRelayState = return_to
            login.buildAuthnRequestMsg()
            return login.msgUrl

    def accept_response(self, saml_response):
        with self.lasso_lock:
            login = lasso.Login(self.server)
            login.processAuthnResponseMsg(saml_response)
            login.acceptSso()
            assertion = login.assertion
            attributes = {}
            for statement in assertion.attributeStatement or []:
                for attribute in statement.attribute or []:
                    values = [node.content for value in attribute.attributeValue or []
                              for node in value.any or [] if hasattr(node, "content")]
                    if values:
                        attributes[attribute.name] = values[0]
            return {"name_id": assertion.subject.nameId.content,
                    "session_index": assertion.authnStatement[0].sessionIndex,
                    "name": attributes.get("name") or attributes.get("email")
                    or assertion.subject.nameId.content,
                    "email": attributes.get("email", ""),
                    "dump": login.session.dump()}

    def logout_request_url(self, dump):
        with self.lasso_lock:
            logout = lasso.Logout(self.server)
            logout.setSessionFromDump(dump)
            logout.initRequest(self.idp, lasso.HTTP_METHOD_REDIRECT)
            logout.buildRequestMsg()
            return logout.msgUrl

    def answer_logout_request(self, message):
        """An IdP-initiated LogoutRequest (a query string or a SOAP envelope): ends the session it
        names and returns the LogoutResponse (a URL, or the SOAP body)."""
        with self.lasso_lock:
            logout = lasso.Logout(self.server)
            logout.processRequestMsg(message)
            request = logout.request
            dump = self.sessions.remove_by_idp_name(request.nameId.content, request.sessionIndex)
            if dump:
                logout.setSessionFromDump(dump)
            try:
                logout.validateRequest()
            except lasso.Error as e:
                log("LogoutRequest not validated: %r" % e)
            logout.buildResponseMsg()
            log("signed out by the IdP: %s" % ("a session" if dump else "no session here"))
            return logout.msgUrl or logout.msgBody

    def check_logout_response(self, query):
        with self.lasso_lock:
            logout = lasso.Logout(self.server)
            try:
                logout.processResponseMsg(query)
            except lasso.Error as e:
                log("LogoutResponse: %r" % e)
                return False
            code = logout.response.status.statusCode
            log("LogoutResponse: %s %s" % (code.value,
                                           code.statusCode.value if code.statusCode else ""))
            return code.statusCode is None


def log(message):
    sys.stderr.write("wiki: %s\n" % message)
    sys.stderr.flush()


def page(title, body, user=None, csrf=""):
    nav_user = ""
    if user:
        nav_user = ('<span class="user">Hello %s</span><form method="post" action="/logout">'
                    '<input type="hidden" name="csrf" value="%s">'
                    '<button type="submit">Sign out</button></form>'
                    % (html.escape(user["name"]), csrf))
    else:
        nav_user = '<a class="button" href="/pages">Sign in</a>'
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s · Wiki</title>"
            "<style>%s</style></head><body><nav><a class=\"brand\" href=\"/\">Wiki</a>"
            "<a href=\"/pages\">Pages</a><span class=\"spacer\"></span>%s</nav><main>%s</main>"
            "</body></html>" % (html.escape(title), STYLE, nav_user, body)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    wiki = None

    def cookie(self):
        jar = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        return jar[COOKIE].value if COOKIE in jar else None

    def send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, headers=()):
        self.send(303 if self.command == "POST" else 302, headers=[("Location", location), *headers])

    def form(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > 256 * 1024:
            raise ValueError("request too large")
        return self.rfile.read(length).decode()

    def hang(self):
        """An SP that hangs: holds the request open until the client gives up."""
        time.sleep(3600)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        wiki = self.wiki
        cookie = self.cookie()
        user = wiki.sessions.get(cookie)
        if url.path == "/":
            body = "<h1>Welcome to Wiki</h1><p>A SAML 2.0 service provider (lasso).</p>"
            if not user:
                body += '<a class="button primary" href="/pages">Sign in with Gatehouse</a>'
            self.send(200, page("Home", body, user, wiki.csrf_token(cookie)))
        elif url.path == "/pages":
            if not user:
                self.redirect(wiki.authn_request_url("/pages"))
                return
            rows = "".join("<tr><th>%s</th><td>%s</td></tr>" % (html.escape(k), html.escape(v))
                           for k, v in (("NameID", user["name_id"]),
                                        ("SessionIndex", user["session_index"]),
                                        ("Email", user["email"])))
            self.send(200, page("Pages", "<h1>Pages</h1><table>%s</table>" % rows, user,
                                wiki.csrf_token(cookie)))
        elif url.path == "/metadata":
            self.send(200, wiki.metadata.encode(), "application/samlmetadata+xml")
        elif url.path == "/sls":
            if wiki.args.hang:
                self.hang()
            elif "SAMLRequest" in query:
                self.redirect(wiki.answer_logout_request(url.query))
            elif "SAMLResponse" in query:
                wiki.check_logout_response(url.query)
                self.redirect("/signed-out")
            else:
                self.send(400, b"no SAML message")
        elif url.path == "/signed-out":
            self.send(200, page("Signed out", "<h1>You are signed out</h1>"
                                '<a class="button primary" href="/pages">Sign in again</a>'))
        else:
            self.send(404, page("Not found", "<h1>Not found</h1>"))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        wiki = self.wiki
        try:
            body = self.form()
        except ValueError:
            self.send(413)
            return
        if url.path == "/acs":
            fields = urllib.parse.parse_qs(body)
            try:
                record = wiki.accept_response(fields["SAMLResponse"][0])
            except (KeyError, lasso.Error) as e:
                log("Response refused: %r" % e)
                self.send(400, page("Sign-in failed", "<h1>Sign-in failed</h1>"))
                return
            cookie = wiki.sessions.add(record)
            relay = fields.get("RelayState", ["/pages"])[0]
            target = relay if relay.startswith("/") and not relay.startswith("//") else "/pages"
            self.redirect(target, [("Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Lax"
                                    % (COOKIE, cookie))])
        elif url.path == "/logout":
            cookie = self.cookie()
            fields = urllib.parse.parse_qs(body)
            if not hmac.compare_digest(fields.get("csrf", [""])[0], wiki.csrf_token(cookie)):
                self.send(403, page("Forbidden", "<h1>The form expired</h1>"))
                return
            record = wiki.sessions.remove(cookie)
            expire = ("Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" % COOKIE)
            if record:
                self.redirect(wiki.logout_request_url(record["dump"]), [expire])
            else:
                self.redirect("/signed-out", [expire])
        elif url.path == "/soap":
            if wiki.args.hang:
                self.hang()
                return
            try:
                answer = wiki.answer_logout_request(body)
            except lasso.Error as e:
                log("SOAP LogoutRequest refused: %r" % e)
                self.send(500, b"", "text/xml")
                return
            self.send(200, answer.encode(), "text/xml")
        else:
            self.send(404)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issuer", required=True, help="Gatehouse's issuer URL")
    parser.add_argument("--base-url", required=True, help="this app's URL, as browsers see it")
    parser.add_argument("--listen", default=None, help="host:port (default: from --base-url)")
    parser.add_argument("--state-dir", required=True,
                        help="keeps the signing key and writes metadata.xml")
    parser.add_argument("--port-file", help="write the port to FILE once listening")
    parser.add_argument("--hang", action="store_true", help="never answer a sign-out")
    args = parser.parse_args()
    Handler.wiki = Wiki(args)
    host, port = (args.listen or urllib.parse.urlsplit(args.base_url).netloc).rsplit(":", 1)
    server = http.server.ThreadingHTTPServer(("127.0.0.1" if host == "localhost" else host,
                                              int(port)), Handler)
    server.daemon_threads = True
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(server.server_port))
    log("listening on %s" % args.base_url)
    # SIGTERM ends it like Ctrl-C: a clean exit, status 0.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
