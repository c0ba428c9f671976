// SAML under load (driven by bench/saml_load.sh), against the real server:
//  (a) SSO Responses per second for a user who already has a session: wrk on
//      /saml/sso/idp-initiated for a registered SP, with the session cookie — each answer is a
//      freshly signed assertion in an auto-POST form (session lookup, participant record, one
//      RSA-2048 signature, XML, HTML);
//  (b) SOAP LogoutRequests delivered per second in a sustained fan-out: SESSIONS sessions, each
//      signed in to SPS service providers whose SOAP SingleLogoutServices are local receivers
//      (bench/logout_receivers.cc), all ended at once through the admin API; every delivery is a
//      signed LogoutRequest from the durable outbox and a LogoutResponse Gatehouse parses.
// Both are printed beside SIGN_CEILING, this machine's RSA-2048 signatures per second (all CPUs).
//
// Environment: GATEHOUSE_BIN, RECEIVERS_BIN, WORK (scratch directory), SIGN_CEILING, SPS,
// SESSIONS, WRK_DURATION, WRK_CONNECTIONS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

import { browseIdp, CookieJar, startGatehouse } from '../tests/interop/harness.mjs';
import {
  ADMIN_TOKEN, USER, cpuSeconds, now, pool, runCli, startReceivers,
} from './bench_support.mjs';

const env = process.env;
const work = env.WORK;
const dataDir = `${work}/data`;
const spCount = Number(env.SPS ?? 50);
const sessionCount = Number(env.SESSIONS ?? 40);
const wrkDuration = env.WRK_DURATION ?? '10s';
const wrkConnections = Number(env.WRK_CONNECTIONS ?? 16);
const signCeiling = Number(env.SIGN_CEILING ?? 0);

const log = (...args) => console.error('saml_load:', ...args);
const run = (args) => runCli(env.GATEHOUSE_BIN, dataDir, args);
const share = (rate) => (signCeiling ? `${((100 * rate) / signCeiling).toFixed(0)} %` : '-');

await mkdir(dataDir, { recursive: true, mode: 0o700 });
const receivers = await startReceivers(env.RECEIVERS_BIN, spCount, `${work}/receivers.json`);
const entityId = (i) => `http://127.0.0.1:${receivers.ports[i]}/metadata`;

// --- the service providers: one signing certificate, N registrations -----------------------------

log(`registering ${spCount} SAML service providers`);
await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout',
  `${work}/sp.key`, '-out', `${work}/sp.crt`, '-subj', '/CN=bench-sp', '-days', '2']);
const cert = (await readFile(`${work}/sp.crt`, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
await run(['user', 'add', '--username', USER.username, '--password', USER.password]);
await pool(spCount, cpus().length, async (i) => {
  const base = `http://127.0.0.1:${receivers.ports[i]}`;
  const file = `${work}/sp${i}.xml`;
  await writeFile(file, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId(i)}"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${base}/soap"/><md:AssertionConsumerService index="0" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/acs"/></md:SPSSODescriptor></md:EntityDescriptor>`);
  await run(['saml', 'sp', 'add', '--metadata', file, '--idp-initiated', '--allow-unsigned-requests']);
});

const gh = await startGatehouse({
  dataDir,
  env: {
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_ADMIN_TOKEN_SHA256: createHash('sha256').update(ADMIN_TOKEN).digest('base64url'),
  },
});
const sso = (i) => `${gh.issuer}/saml/sso/idp-initiated?sp=${encodeURIComponent(entityId(i))}`;

/** Opens SP i's sign-in link in `jar`'s session (signing in first when `credentials`). */
async function ssoOnce(jar, i, credentials) {
  const { res } = await browseIdp(sso(i), { jar, credentials });
  const page = await res?.text();
  assert.equal(res?.status, 200, page);
  assert.match(page, /name="SAMLResponse"/);
}

// --- (a) SSO responses per second ----------------------------------------------------------------

const jar = new CookieJar();
await ssoOnce(jar, 0, USER);
log(`wrk on /saml/sso/idp-initiated for ${wrkDuration}, ${wrkConnections} connections`);
const ssoCpuBefore = await cpuSeconds(gh.pid);
const wrk = await promisify(execFile)('wrk', ['--latency', '-t2', `-c${wrkConnections}`,
  `-d${wrkDuration}`, '-H', `Cookie: ${jar.header()}`, sso(0)]);
const ssoCpu = (await cpuSeconds(gh.pid)) - ssoCpuBefore;
const rps = Number(wrk.stdout.match(/Requests\/sec:\s+([\d.]+)/)[1]);
const requests = Number(wrk.stdout.match(/(\d+) requests in/)[1]);
const p50 = wrk.stdout.match(/^\s+50%\s+(\S+)/m)[1];
const p99 = wrk.stdout.match(/^\s+99%\s+(\S+)/m)[1];
const errors = wrk.stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? '0';

// --- (b) SOAP LogoutRequests delivered per second ------------------------------------------------

log(`${sessionCount} sessions, each signed in to ${spCount} SPs`);
// The session wrk used is the first; one sign-in at a time for the others: the server runs few
// password checks at once and answers 503 beyond.
const jars = await pool(sessionCount, 1, async (k) => {
  const session = k === 0 ? jar : new CookieJar();
  if (k > 0) await ssoOnce(session, 0, USER);
  for (let i = 1; i < spCount; i++) await ssoOnce(session, i);
  return session;
});
const total = sessionCount * spCount;
const before = (await receivers.stats()).total;
const fanOutCpuBefore = await cpuSeconds(gh.pid);
const start = now();
const res = await fetch(`${gh.issuer}/admin/sessions/revoke`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_TOKEN}` },
  body: `user=${USER.username}`,
});
const revoked = await res.json();
assert.equal(res.status, 200, JSON.stringify(revoked));
const answered = now();
const reached = await receivers.waitFor(before + total);
const seconds = (reached - start) / 1000;
const fanOutCpu = (await cpuSeconds(gh.pid)) - fanOutCpuBefore;
const stats = await receivers.stats();
assert.equal(stats.malformed, 0, 'every receiver request was a LogoutRequest');
const report = JSON.parse(await run(['logout', 'status', '--limit', '1', '--json']));  // totals count every row
await gh.stop();
receivers.stop();
assert.equal(jars.length, sessionCount);

console.log(`\n${cpus().length} CPUs; ${cpus()[0].model}; RSA-2048 ceiling ${signCeiling.toFixed(0)} signatures/s (all CPUs)\n`);
console.log('| Measure | Result | Share of the RSA-2048 ceiling |');
console.log('|---|---|---|');
console.log(`| SSO Responses/s, signed-in user (wrk, ${wrkConnections} connections, ${wrkDuration}; p50 ${p50}, p99 ${p99}; non-2xx ${errors}) | ${rps.toFixed(0)} | ${share(rps)} |`);
console.log(`| SOAP LogoutRequests delivered/s (${sessionCount} sessions × ${spCount} SPs ended at once; ${total} in ${seconds.toFixed(2)} s; revoke answered in ${(answered - start).toFixed(0)} ms) | ${(total / seconds).toFixed(0)} | ${share(total / seconds)} |`);
// The load generators share the machine's CPUs with the IdP; what the IdP spends per message,
// against one bare signature, is the measure of its own overhead.
const signMicros = (1e6 * cpus().length) / signCeiling;
const perSso = (1e6 * ssoCpu) / requests;
const perDelivery = (1e6 * fanOutCpu) / total;
console.log(`\nIdP CPU per SSO Response: ${perSso.toFixed(0)} µs; per SOAP delivery: ${perDelivery.toFixed(0)} µs (one RSA-2048 signature: ${signMicros.toFixed(0)} µs, so the signature is ${((100 * signMicros) / perSso).toFixed(0)} % and ${((100 * signMicros) / perDelivery).toFixed(0)} % of the IdP's work). The IdP used ${(ssoCpu / Number(wrkDuration.replace('s', ''))).toFixed(2)} of ${cpus().length} CPUs during the wrk run; wrk had the rest.`);
console.log(`\nOutbox after the run: delivered ${report.totals.delivered}, pending ${report.totals.pending}, failed ${report.totals.failed}.`);
