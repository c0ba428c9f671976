// A SAML service provider under the test's full control, for the attacks of saml-slo.md §2: it
// writes messages as strings — well-formed, malformed or rearranged — and signs them with Debian's
// xmlsec1 command (enveloped, exc-c14n, RSA-SHA256) or, for HTTP-Redirect, over the raw query
// octets with Node's crypto. Nothing here verifies anything: Gatehouse is the one being judged.
import { execFile } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';

const run = promisify(execFile);

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
};
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export const newId = () => `_${randomBytes(16).toString('hex')}`;
export const instant = (date = new Date()) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * An SP: a key and certificate in `dir` (files named after `name`), and metadata with every SLO
 * binding at `base`.
 */
export async function forgedSp(dir, base, name = 'forged-sp') {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile,
    '-out', certFile, '-subj', '/CN=forged-sp', '-days', '2']);
  const cert = (await readFile(certFile, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
  const entityId = `${base}/metadata`;
  const metadata = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
<md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="${NS.samlp}">
<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${base}/soap"/>
<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sls"/>
<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/sls"/>
<md:NameIDFormat>${PERSISTENT}</md:NameIDFormat>
<md:AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/acs"/>
</md:SPSSODescriptor></md:EntityDescriptor>`;
  const metadataFile = path.join(dir, `${name}-metadata.xml`);
  await writeFile(metadataFile, metadata);
  return { entityId, base, keyFile, certFile, keyPem: await readFile(keyFile, 'utf8'), metadataFile, dir };
}

/** An AuthnRequest from `sp` to `destination` (to be sent over HTTP-Redirect). */
export function authnRequest(sp, destination) {
  return `<samlp:AuthnRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newId()}" Version="2.0" IssueInstant="${instant()}" Destination="${destination}" AssertionConsumerServiceURL="${sp.base}/acs" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${sp.entityId}</saml:Issuer><samlp:NameIDPolicy Format="${PERSISTENT}" AllowCreate="true"/></samlp:AuthnRequest>`;
}

/**
 * A LogoutRequest; `nameId` is inserted as written (so it may carry a comment), `nameIdAttributes`
 * likewise. Omitting `destination` or `sessionIndex` leaves the element out.
 */
export function logoutRequest({ id = newId(), issuer, destination, issueInstant = instant(),
  nameId, nameIdAttributes = `Format="${PERSISTENT}"`, sessionIndex, extra = '' }) {
  const dest = destination ? ` Destination="${destination}"` : '';
  const index = sessionIndex ? `<samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex>` : '';
  return `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${id}" Version="2.0" IssueInstant="${issueInstant}"${dest}><saml:Issuer>${issuer}</saml:Issuer>${extra}<saml:NameID ${nameIdAttributes}>${nameId}</saml:NameID>${index}</samlp:LogoutRequest>`;
}

const SIGNATURE_TEMPLATE = (id) => `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="${RSA_SHA256}"/><ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature>`;

/**
 * `xml` (one protocol message as its root) with an enveloped signature after its Issuer, made by
 * xmlsec1 with `sp`'s key — as any honest SP signs.
 */
export async function signEnveloped(sp, xml) {
  const id = xml.match(/^<samlp:(\w+)[^>]* ID="([^"]+)"/);
  const element = id[1];
  const template = xml.replace('</saml:Issuer>', `</saml:Issuer>${SIGNATURE_TEMPLATE(id[2])}`);
  const input = path.join(sp.dir, `${id[2]}.xml`);
  const output = path.join(sp.dir, `${id[2]}.signed.xml`);
  await writeFile(input, template);
  await run('xmlsec1', ['--sign', '--privkey-pem', sp.keyFile, '--id-attr:ID',
    `${NS.samlp}:${element}`, '--output', output, input]);
  return (await readFile(output, 'utf8')).replace(/^<\?xml[^>]*>\s*/, '');
}

export const soapEnvelope = (xml) =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>${xml}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

/**
 * The raw query of an HTTP-Redirect message: DEFLATE, base64, percent-encoding (upper-case, or
 * lower-case as Entra sends it), and with `sp` a signature over exactly those octets (Bindings
 * §3.4.4.1). `deflated` replaces the compressed message (a bomb, say).
 */
export function redirectQuery(xml, { sp, relayState, lowerCase = false, deflated, param = 'SAMLRequest' } = {}) {
  const encode = (v) => encodeURIComponent(v).replace(/%[0-9A-F]{2}/g,
    (e) => (lowerCase ? e.toLowerCase() : e));
  const compressed = deflated ?? deflateRawSync(Buffer.from(xml, 'utf8'));
  let query = `${param}=${encode(compressed.toString('base64'))}`;
  if (relayState !== undefined) query += `&RelayState=${encode(relayState)}`;
  if (!sp) return query;
  query += `&SigAlg=${encode(RSA_SHA256)}`;
  const signature = createSign('RSA-SHA256').update(query).sign(sp.keyPem);
  return `${query}&Signature=${encode(signature.toString('base64'))}`;
}
