#!/usr/bin/python3
"""A SAML identity provider built on pysaml2 (Debian's python3-pysaml2): the upstream IdP of the
SAML federation tests, driven over stdin/stdout (one JSON object per line each way). It reads
Gatehouse's AuthnRequests and LogoutRequests, and makes its Responses and LogoutRequests, with its
own code; its endpoints are addresses only, the tests carry each message like a browser would.

Its address is a real loopback listener, so that Gatehouse's check that the IdP is up before it
sends a browser there to sign out finds it; the listener answers every GET with 400 (messages
come through the test, not over it).

It keeps one person, alice, and whether she is signed in here: a sign-in while she is not (or one
with ForceAuthn) counts as a password prompt, which is how the tests see that signing out of
Gatehouse signed her out of this IdP too.

Run with Debian's /usr/bin/python3: the Debian package is not importable from other Pythons."""
import html
import re
import shutil
import urllib.parse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import Status, StatusCode, response_from_string
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

import peer_process
from peer_process import make_credentials, run

work, key_file, cert_file = make_credentials("pysaml2-idp")


listener = peer_process.serve(lambda body: (400, b"messages reach this IdP through the test"),
                              method="GET")
base = "http://127.0.0.1:%d" % listener.server_port
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
IDENTITY = {"uid": ["alice"], "mail": ["alice@example.com"], "displayName": ["Alice Upstream"]}

idp = None
sp_entity = None
state = {"signed_in": False, "prompts": 0, "session_index": None, "name_id": None}


def config(sp_metadata=None):
    """With `sp_metadata`, the IdP that serves: it checks AuthnRequest query signatures itself
    (sso()), since pysaml2 7.0.1's parse_authn_request looks for an XML signature when
    want_authn_requests_signed is set, which a Redirect-bound request never carries. Without, the
    IdP that writes the metadata, which asks for signed requests."""
    conf = {
        "entityid": base + "/idp/metadata",
        "key_file": key_file, "cert_file": cert_file,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        "service": {"idp": {
            "endpoints": {
                "single_sign_on_service": [(base + "/idp/sso", BINDING_HTTP_REDIRECT)],
                "single_logout_service": [(base + "/idp/slo", BINDING_HTTP_REDIRECT)]},
            "want_authn_requests_signed": sp_metadata is None,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "policy": {"default": {"lifetime": {"minutes": 15},
                                   "attribute_restrictions": None,
                                   "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}}}}}
    cfg = IdPConfig()
    cfg.load(conf)
    return cfg


def create():
    """This IdP's metadata, for Gatehouse's [[upstream]] metadata_file."""
    global idp
    cfg = config()
    idp = Server(config=cfg)
    return {"metadata": create_metadata_string(None, config=cfg, valid=24, sign=False).decode(),
            "entity_id": cfg.entityid, "origin": base}


def trust(sp_metadata):
    """Registers Gatehouse's SP metadata (fetched from its /upstream/<id>/saml)."""
    global idp, sp_entity
    idp = Server(config=config(sp_metadata))
    sp_entity = next(iter(idp.metadata.service_providers()))
    return {"sp_entity_id": sp_entity}


def relay_state_of(query):
    raw = dict(p.split("=", 1) for p in query.split("&")).get("RelayState")
    return urllib.parse.unquote(raw) if raw else None


def sp_certificate():
    cert = idp.metadata.certs(sp_entity, "spsso", "signing")[0]
    return cert[1] if isinstance(cert, tuple) else cert


def sso(query):
    """An AuthnRequest over HTTP-Redirect: its query signature checked with Gatehouse's metadata
    key; alice signed in (prompted when she was not, or when ForceAuthn says so); the signed
    Response as the auto-POST form the browser would submit."""
    message = peer_process.verify_redirect_signature(query, "SAMLRequest", sp_certificate())
    request = idp.parse_authn_request(message, BINDING_HTTP_REDIRECT).message
    relay_state = relay_state_of(query)
    forced = request.force_authn in ("true", "1")
    if forced or not state["signed_in"]:
        state["prompts"] += 1
    state["signed_in"] = True
    args = idp.response_args(request, [BINDING_HTTP_POST])
    name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text="alice-of-pysaml2",
                     name_qualifier=idp.config.entityid, sp_name_qualifier=sp_entity)
    response = idp.create_authn_response(
        IDENTITY, userid="alice", name_id=name_id,
        authn={"class_ref": PASSWORD_CLASS, "authn_auth": idp.config.entityid},
        sign_assertion=True, sign_response=False, sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256, **args)
    # Signed, the response comes back as its XML text.
    assertion = response_from_string(str(response)).assertion[0]
    state["session_index"] = assertion.authn_statement[0].session_index
    state["name_id"] = name_id
    http_args = idp.apply_binding(BINDING_HTTP_POST, str(response), args["destination"],
                                  relay_state, response=True)
    page = http_args["data"]
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)}
    return {"url": action, "fields": fields, "request_id": request.id,
            "force_authn": forced, "session_index": state["session_index"]}


def redirect(message, destination, relay_state, response):
    info = idp.apply_binding(BINDING_HTTP_REDIRECT, str(message), destination, relay_state,
                             response=response, sign=True, sigalg=SIG_RSA_SHA256)
    return dict(info["headers"])["Location"]


def slo(query, status=None):
    """Gatehouse's LogoutRequest over HTTP-Redirect: checked, alice signed out here, and the URL of
    the signed LogoutResponse back (with `status`, e.g. a failure, when the test asks for one)."""
    message = peer_process.verify_redirect_signature(query, "SAMLRequest", sp_certificate())
    request = idp.parse_logout_request(message, BINDING_HTTP_REDIRECT).message
    relay_state = relay_state_of(query)
    state["signed_in"] = False
    answer_status = Status(status_code=StatusCode(value=status)) if status else None
    response = idp.create_logout_response(request, [BINDING_HTTP_REDIRECT], status=answer_status)
    destination = idp.metadata.single_logout_service(sp_entity, BINDING_HTTP_REDIRECT,
                                                     "spsso")[0]["location"]
    return {"url": redirect(response, destination, relay_state, True),
            "name_id": request.name_id.text, "format": request.name_id.format,
            "name_qualifier": request.name_id.name_qualifier,
            "sp_name_qualifier": request.name_id.sp_name_qualifier,
            "session_index": [i.text for i in request.session_index],
            "destination": request.destination}


def logout():
    """alice signs out here: the signed LogoutRequest for Gatehouse over HTTP-Redirect."""
    destination = idp.metadata.single_logout_service(sp_entity, BINDING_HTTP_REDIRECT,
                                                     "spsso")[0]["location"]
    request_id, request = idp.create_logout_request(
        destination, idp.config.entityid, name_id=state["name_id"],
        session_indexes=[state["session_index"]], reason="urn:oasis:names:tc:SAML:2.0:logout:user")
    state["signed_in"] = False
    return {"id": request_id, "url": redirect(request, destination, "idp-relay", False)}


def logout_response(query):
    """Gatehouse's LogoutResponse to logout(), as the browser brought it back."""
    message = peer_process.verify_redirect_signature(query, "SAMLResponse", sp_certificate())
    response = idp.parse_logout_request_response(message, BINDING_HTTP_REDIRECT).response
    return {"status": response.status.status_code.value, "in_response_to": response.in_response_to}


def session():
    return {"signed_in": state["signed_in"], "prompts": state["prompts"]}


run({"create": create, "trust": trust, "sso": sso, "slo": slo, "logout": logout,
     "logout_response": logout_response, "session": session})
