#!/usr/bin/python3
"""A SAML service provider built on lasso (Debian's python3-lasso, the library under mod_auth_mellon
and LemonLDAP::NG), driven by the interop tests over stdin/stdout (one JSON object per line each
way), like pysaml2_sp.py. Lasso verifies every Gatehouse signature with its own code and rejects
unsigned SOAP messages by default.

It serves its SOAP SingleLogoutService on its own loopback port; the `soap_mode` command makes that
endpoint answer normally, fail with HTTP 500, or stop listening altogether (an SP that is down), so
the tests can see Gatehouse report PartialLogout.

Run with Debian's /usr/bin/python3: the Debian package is not importable from other Pythons."""
import os
import threading
import urllib.request

import lasso

from peer_process import make_credentials, run, serve

work, key_file, cert_file = make_credentials("lasso-sp")

# Lasso has no metadata generator: an SP writes its own.
METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{base}/lasso/metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="{base}/lasso/soap"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{base}/lasso/sls"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{base}/lasso/sls"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{base}/lasso/acs"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""

server = None          # lasso.Server, once init has the IdP's metadata
session_dump = None    # the SP's session after SSO, as lasso serialises it
pending_logout = None  # the SP-initiated Logout awaiting its LogoutResponse
received = []          # IdP-initiated LogoutRequests, as this SP understood them
soap_mode = "ok"
lock = threading.Lock()


def status_of(response):
    code = response.status.statusCode
    return {"status": code.value, "second": code.statusCode.value if code.statusCode else None}


def handle_soap(body):
    global session_dump
    if soap_mode == "error":
        return 500, b"internal error"
    with lock:
        try:
            logout = lasso.Logout(server)
            logout.processRequestMsg(body)
            if session_dump:
                logout.setSessionFromDump(session_dump)
            logout.validateRequest()
            received.append({"name_id": logout.request.nameId.content,
                             "sp_name_qualifier": logout.request.nameId.spNameQualifier,
                             "session_index": logout.request.sessionIndex,
                             "issuer": logout.request.issuer.content})
            session_dump = None
            logout.buildResponseMsg()
            return 200, logout.msgBody.encode()
        except lasso.Error as e:
            request = logout.request
            received.append({"error": repr(e),
                             "session_index": request.sessionIndex if request else None})
            return 500, repr(e).encode()


soap_server = serve(handle_soap)
base = "http://127.0.0.1:%d" % soap_server.server_port


def init(idp_metadata):
    global server
    with open(cert_file) as f:
        cert = "".join(line for line in f.read().splitlines() if "-----" not in line)
    metadata = METADATA.format(base=base, cert=cert)
    metadata_file = os.path.join(work, "sp-metadata.xml")
    with open(metadata_file, "w") as f:
        f.write(metadata)
    server = lasso.Server(metadata_file, key_file, None, cert_file)
    server.addProviderFromBuffer(lasso.PROVIDER_ROLE_IDP, idp_metadata)
    server.signatureMethod = lasso.SIGNATURE_METHOD_RSA_SHA256
    return {"metadata": metadata, "entity_id": base + "/lasso/metadata"}


def idp_entity():
    return next(iter(server.providerIds))


def http_method(binding):
    return {"redirect": lasso.HTTP_METHOD_REDIRECT, "post": lasso.HTTP_METHOD_POST,
            "soap": lasso.HTTP_METHOD_SOAP}[binding]


def authn(binding="redirect"):
    login = lasso.Login(server)
    login.initAuthnRequest(idp_entity(), http_method(binding))
    login.request.nameIdPolicy.format = lasso.SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT
    login.request.nameIdPolicy.allowCreate = True
    login.msgRelayState = "lasso-rs"
    login.buildAuthnRequestMsg()
    if binding == "redirect":
        return {"url": login.msgUrl}
    return {"url": login.msgUrl, "fields": {"SAMLRequest": login.msgBody, "RelayState": "lasso-rs"}}


def acs(response):
    global session_dump
    login = lasso.Login(server)
    login.processAuthnResponseMsg(response)
    login.acceptSso()
    session_dump = login.session.dump()
    name_id = login.assertion.subject.nameId
    return {"name_id": name_id.content, "format": name_id.format,
            "sp_name_qualifier": name_id.spNameQualifier, "name_qualifier": name_id.nameQualifier,
            "session_index": login.assertion.authnStatement[0].sessionIndex}


def logout(binding):
    global pending_logout, session_dump
    lo = lasso.Logout(server)
    lo.setSessionFromDump(session_dump)
    lo.initRequest(idp_entity(), http_method(binding))
    lo.msgRelayState = "lasso-logout-rs"
    lo.buildRequestMsg()
    if binding == "soap":
        request = urllib.request.Request(lo.msgUrl, data=lo.msgBody.encode(), headers={
            "Content-Type": "text/xml", "SOAPAction": "http://www.oasis-open.org/committees/security"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read().decode()
        lo.processResponseMsg(body)
        session_dump = None
        return {"ok": True, **status_of(lo.response)}
    pending_logout = lo
    if binding == "redirect":
        return {"url": lo.msgUrl}
    return {"url": lo.msgUrl, "fields": {"SAMLRequest": lo.msgBody, "RelayState": "lasso-logout-rs"}}


def logout_response(binding, message, query=None):
    """Redirect: lasso checks the signature over the whole query string; POST: the SAMLResponse."""
    global pending_logout, session_dump
    lo, pending_logout = pending_logout, None
    lo.processResponseMsg(query if binding == "redirect" else message)
    session_dump = None
    return {"ok": True, "relay_state": lo.msgRelayState, **status_of(lo.response)}


def set_soap_mode(mode):
    global soap_mode
    soap_mode = mode
    if mode == "down":
        soap_server.shutdown()
        soap_server.server_close()
    return {"ok": True}


def logged_out_requests():
    with lock:
        return {"received": list(received)}


run({"init": init, "authn": authn, "acs": acs, "logout": logout,
     "logout_response": logout_response, "soap_mode": set_soap_mode,
     "received": logged_out_requests})
