#!/usr/bin/python3
"""A SAML service provider built on pysaml2 (Debian's python3-pysaml2), driven by the interop
tests over stdin/stdout (one JSON object per line each way). It validates Gatehouse's messages with
its own code. Its endpoints are addresses only: the tests carry each message like a browser would.

pysaml2 7.0.1's SOAP reader re-serialises a SOAP body with ElementTree (samlp:/saml:/ds: become
ns0:/ns1:/ns2:) before checking its signature, which breaks every exc-c14n digest it did not make
itself. So this SP offers only the browser bindings in its metadata (lasso_sp.py is signed out over
SOAP), and when it signs out over SOAP (logout_soap) its own signature check is handed the answer
as it arrived rather than as that reader rewrites it.

Run with Debian's /usr/bin/python3: the Debian package is not importable from other Pythons."""
import html
import re
import shutil

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.samlp import IDPEntry, IDPList, Scoping
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

import peer_process
from peer_process import make_credentials, run

work, key_file, cert_file = make_credentials("pysaml2-sp")
client = None


base = "http://pysaml2-sp.test"


SLO_BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}


def init(idp_metadata, slo_bindings=("redirect", "post")):
    """slo_bindings: the SingleLogoutService bindings its metadata offers, in that order."""
    global client
    conf = {
        "entityid": base + "/sp/metadata",
        "key_file": key_file, "cert_file": cert_file,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "metadata": {"inline": [idp_metadata]},
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(base + "/sp/acs", BINDING_HTTP_POST)],
                "single_logout_service": [(base + "/sp/sls", SLO_BINDINGS[b])
                                          for b in slo_bindings]},
            "authn_requests_signed": True, "logout_requests_signed": True,
            "want_assertions_signed": True, "want_response_signed": False,
            "allow_unknown_attributes": True,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT]}}}
    cfg = SPConfig()
    cfg.load(conf)
    client = Saml2Client(config=cfg)
    return {"metadata": create_metadata_string(None, config=cfg, valid=24, sign=False).decode(),
            "entity_id": conf["entityid"]}


def form_of(page):
    """The action and fields of pysaml2's auto-POST page, for the test to post like a browser."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)}
    return {"url": action, "fields": fields}


def idp_entity():
    return next(iter(client.metadata.identity_providers()))


def authn(binding="redirect", idp_hint=None):
    req_binding = BINDING_HTTP_POST if binding == "post" else BINDING_HTTP_REDIRECT
    # Core §3.4.1.2: Scoping names the identity provider the person should sign in with.
    extra = {"scoping": Scoping(idp_list=IDPList(idp_entry=[IDPEntry(provider_id=idp_hint)]))} \
        if idp_hint else {}
    reqid, info = client.prepare_for_authenticate(
        entityid=idp_entity(), relay_state="rs-1", binding=req_binding, sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256, sign=True, **extra)
    client.outstanding = getattr(client, "outstanding", {})
    client.outstanding[reqid] = "/"
    if req_binding == BINDING_HTTP_REDIRECT:
        return {"id": reqid, "url": dict(info["headers"])["Location"]}
    return {"id": reqid, **form_of(info["data"])}


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
    expected = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}[binding]
    result = client.do_logout(name_id, [idp_entity()], "urn:oasis:names:tc:SAML:2.0:logout:user",
                              None, sign=True, expected_binding=expected,
                              sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256,
                              relay_state="logout-rs")
    (entity, (binding_used, info)), = result.items()
    if binding == "redirect":
        return {"url": dict(info["headers"])["Location"]}
    return form_of(info["data"])


def logout_soap():
    """SP-initiated Single Logout over SOAP, as pysaml2's do_logout sends it (a signed
    LogoutRequest posted by its own HTTP client); the LogoutResponse's signature is checked by
    pysaml2's signature check over the SAML element exactly as Gatehouse sent it."""
    name_id = next(iter(client.users.subjects()))
    destination = next(s["location"] for s in client.metadata.single_logout_service(
        idp_entity(), BINDING_SOAP, "idpsso"))
    session_index = client.users.get_info_from(name_id, idp_entity(), False).get("session_index")
    req_id, request = client.create_logout_request(
        destination, idp_entity(), name_id=name_id, reason="urn:oasis:names:tc:SAML:2.0:logout:user",
        session_indexes=[session_index] if session_index else None, sign=True,
        sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    # Signed above (enveloped), as do_logout does: the binding adds no signature of its own.
    answer = client.send(**client.apply_binding(BINDING_SOAP, str(request), destination,
                                                sign=False))
    if answer.status_code != 200:
        return {"http_status": answer.status_code, "body": answer.text}
    body = re.search(r"<([\w.-]+:)?Body[^>]*>(.*)</([\w.-]+:)?Body>", answer.text, re.S).group(2)
    response = client.sec.correctly_signed_logout_response(body.strip(), must=True)
    status = response.status.status_code
    client.local_logout(name_id)
    return {"request_id": req_id, "in_response_to": response.in_response_to,
            "status": status.value,
            "second": status.status_code.value if status.status_code else None}


def verify_redirect_signature(query, message_param):
    cert = client.metadata.certs(idp_entity(), "any", "signing")[0]
    return peer_process.verify_redirect_signature(
        query, message_param, cert[1] if isinstance(cert, tuple) else cert)


def logout_response(binding, message, query=""):
    b = BINDING_HTTP_REDIRECT if binding == "redirect" else BINDING_HTTP_POST
    if b == BINDING_HTTP_REDIRECT:
        verify_redirect_signature(query, "SAMLResponse")
    parsed = client.parse_logout_request_response(message, b)
    status = parsed.response.status.status_code
    return {"ok": True, "status": status.value,
            "second": status.status_code.value if status.status_code else None,
            "in_response_to": parsed.response.in_response_to}


def idp_logout(query=None, binding="redirect", message=None):
    """An IdP-initiated LogoutRequest the browser brought: over HTTP-Redirect (`query`, its
    signature checked over the raw query) or HTTP-POST (the form's `message`, its enveloped
    signature checked by pysaml2). pysaml2 ends its session; returns what it read and its signed
    LogoutResponse: a URL (Redirect) or a form (POST)."""
    if binding == "post":
        saml_binding = BINDING_HTTP_POST
    else:
        saml_binding = BINDING_HTTP_REDIRECT
        message = verify_redirect_signature(query, "SAMLRequest")
    request = client.parse_logout_request(message, saml_binding)
    name_id = request.message.name_id
    info = client.handle_logout_request(message, name_id, saml_binding, sign=True,
                                        sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    out = {"name_id": name_id.text, "sp_name_qualifier": name_id.sp_name_qualifier,
           "session_index": [i.text for i in request.message.session_index],
           "destination": request.message.destination,
           "signed": request.message.signature is not None}
    if binding == "post":
        out["form"] = form_of(info["data"])
    else:
        out["url"] = dict(info["headers"])["Location"]
    return out


run({"init": init, "authn": authn, "acs": acs, "logout": logout, "logout_soap": logout_soap,
     "logout_response": logout_response, "idp_logout": idp_logout})
