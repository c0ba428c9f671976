// Back-channel logout receivers for bench/logout_fanout.sh: N relying parties' logout endpoints,
// one keep-alive HTTP listener each on an ephemeral loopback port, as cheap as possible — a token
// is counted, not verified, so the IdP is what is measured.
//
//   node bench/logout_receivers.mjs N READY_FILE
//
// Writes {"control": port, "receivers": [port, ...]} to READY_FILE once every listener is up.
// The control port answers:
//   GET /stats                      {"total", "malformed", "per_receiver": [...]}
//   GET /wait?total=X&timeout_ms=T  once X tokens have arrived (or T ms passed):
//                                   {"total", "reached_at"}: epoch ms (sub-ms) of the X-th token
//   GET /timeline?from=MS&bucket_ms=B  tokens that arrived in each B ms from epoch ms MS on
import { writeFile, rename } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [count, readyFile] = [Number.parseInt(process.argv[2], 10), process.argv[3]];
if (!(count > 0) || !readyFile) {
  console.error('usage: node bench/logout_receivers.mjs N READY_FILE');
  process.exit(2);
}

const now = () => performance.timeOrigin + performance.now();
const perReceiver = new Array(count).fill(0);
let total = 0;
let malformed = 0;
const arrivals = []; // arrival time of every token, in order: the waits read from it
const waiters = new Set();

function settle() {
  for (const w of waiters) {
    if (total >= w.target) {
      waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve({ total, reached_at: arrivals[w.target - 1] });
    }
  }
}

// Back-Channel Logout 1.0 §2.5: a POST of logout_token=<JWT>; §2.8: 200 (no-store) means received.
function receiver(index) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      if (req.method !== 'POST' || !/^logout_token=[\w-]+\.[\w-]+\.[\w-]+$/.test(body)) {
        ++malformed;
        res.writeHead(400, { 'cache-control': 'no-store' }).end();
        return;
      }
      arrivals.push(now());
      ++perReceiver[index];
      ++total;
      res.writeHead(200, { 'cache-control': 'no-store', 'content-length': 0 }).end();
      if (waiters.size) settle();
    });
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const control = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://control');
  const reply = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (url.pathname === '/stats') {
    reply({ total, malformed, per_receiver: perReceiver });
  } else if (url.pathname === '/timeline') {
    const from = Number(url.searchParams.get('from'));
    const bucket = Number(url.searchParams.get('bucket_ms') ?? '100');
    const counts = [];
    for (const at of arrivals) {
      if (at < from) continue;
      const i = Math.floor((at - from) / bucket);
      while (counts.length <= i) counts.push(0);
      ++counts[i];
    }
    reply(counts);
  } else if (url.pathname === '/wait') {
    const target = Number.parseInt(url.searchParams.get('total'), 10);
    const timeout = Number.parseInt(url.searchParams.get('timeout_ms') ?? '60000', 10);
    const w = { target, resolve: reply };
    w.timer = setTimeout(() => { waiters.delete(w); reply({ total, reached_at: null }); }, timeout);
    waiters.add(w);
    settle();
  } else {
    res.writeHead(404).end();
  }
});

const receivers = [];
for (let i = 0; i < count; i++) receivers.push(await receiver(i));
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
await writeFile(`${readyFile}.tmp`, JSON.stringify({ control: control.address().port, receivers }));
await rename(`${readyFile}.tmp`, readyFile);
process.on('SIGTERM', () => process.exit(0));
