#!/usr/bin/env node
// The independent contract run: starts sikud on a database that holds the demo data, puts
// Stoplight Prism in front of it as a validating proxy (`prism proxy --errors`), walks every
// operation of the API description through the proxy with the demo logins (session.mjs) and
// fails on any violation Prism reports: a response it answers with its own VIOLATIONS error
// (the --errors flag), any `sl-violations` header, and any other Prism error (no route,
// request refused before it reached sikud). Prints what was replayed and what the session
// did not reach.
//
//   node tests/contract/prism.mjs --spec api/openapi.yaml --sikud build-san/sikud \
//        --database "host=... port=... user=siku dbname=..." [--record FILE]
//        [--require-coverage] [--verbose]
//
// Exit status: 0 clean, 1 violations (or uncovered operations with --require-coverage, or the
// daemon exiting badly), 2 usage or start-up errors.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { failures, notes, runSession } from './session.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const PRISM_ERRORS = 'https://stoplight.io/prism/errors#';

function usage(msg) {
    console.error(`prism.mjs: ${msg}`);
    console.error(
        'usage: node prism.mjs --spec SPEC --sikud SIKUD --database CONNINFO [--record FILE] ' +
            '[--require-coverage] [--verbose]');
    process.exit(2);
}

const opts = { requireCoverage: false, verbose: false };
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    const next = () => process.argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--spec') opts.spec = next();
    else if (a === '--sikud') opts.sikud = next();
    else if (a === '--database') opts.database = next();
    else if (a === '--record') opts.record = next();
    else if (a === '--require-coverage') opts.requireCoverage = true;
    else if (a === '--verbose') opts.verbose = true;
    else usage(`unknown argument ${a}`);
}
if (!opts.spec || !opts.sikud || !opts.database) usage('--spec, --sikud and --database are required');

// The operations of the description, with a matcher per path template (literal segments beat
// {param}, as in validate.mjs and in sikud's router).
const spec = YAML.parse(fs.readFileSync(opts.spec, 'utf8'));
const operations = [];
for (const [tmpl, item] of Object.entries(spec.paths ?? {})) {
    const segs = tmpl.split('/');
    const re = new RegExp(
        '^' + segs.map(s => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
    const literals = segs.filter(s => !/^\{.+\}$/.test(s)).length;
    for (const m of METHODS)
        if (item[m]) operations.push({ key: `${m.toUpperCase()} ${tmpl}`, method: m.toUpperCase(), re, literals });
}
function operationOf(method, p) {
    const m = method === 'HEAD' ? 'GET' : method;
    const hits = operations.filter(o => o.method === m && o.re.test(p));
    hits.sort((a, b) => b.literals - a.literals);
    return hits[0]?.key ?? null;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

const children = [];
function start(name, cmd, args, env, logFile) {
    const log = fs.openSync(logFile, 'w');
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
    child.exitStatus = null;
    child.on('exit', (code, signal) => {
        child.exitStatus = { code, signal };
    });
    child.label = name;
    child.logFile = logFile;
    children.push(child);
    return child;
}
function stopAll() {
    for (const c of children) if (c.exitStatus === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => {
        stopAll();
        process.exit(2);
    });

async function waitFor(url, child, seconds) {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
        if (child.exitStatus !== null) break;
        try {
            const r = await fetch(url);
            await r.arrayBuffer();
            if (r.ok) return true;
        } catch {
            /* not listening yet */
        }
        await new Promise(r => setTimeout(r, 200));
    }
    const tail = fs.readFileSync(child.logFile, 'utf8').split('\n').slice(-20).join('\n');
    console.error(`prism.mjs: ${child.label} did not come up at ${url}\n${tail}`);
    process.exit(2);
}

function waitExit(child, ms) {
    return new Promise(resolve => {
        if (child.exitStatus !== null) return resolve(child.exitStatus);
        const t = setTimeout(() => {
            child.kill('SIGKILL');
        }, ms);
        child.on('exit', (code, signal) => {
            clearTimeout(t);
            resolve({ code, signal });
        });
    });
}

const logDir = path.dirname(path.resolve(opts.record ?? path.join(process.cwd(), 'prism-contract.jsonl')));
fs.mkdirSync(logDir, { recursive: true });
const sikudPort = await freePort();
const prismPort = await freePort();
const sikud = start(
    'sikud', opts.sikud, [],
    { SIKU_LISTEN: `127.0.0.1:${sikudPort}`, SIKU_DATABASE_URL: opts.database, SIKU_ACCESS_LOG: 'false' },
    path.join(logDir, 'prism-sikud.log'));
await waitFor(`http://127.0.0.1:${sikudPort}/readyz`, sikud, 30);
const prismBin = path.join(HERE, 'node_modules', '.bin', 'prism');
const prism = start(
    'prism', prismBin,
    ['proxy', path.resolve(opts.spec), `http://127.0.0.1:${sikudPort}`, '--errors', '--host', '127.0.0.1',
        '--port', String(prismPort)],
    {}, path.join(logDir, 'prism-proxy.log'));
const t0 = Date.now();
await waitFor(`http://127.0.0.1:${prismPort}/healthz`, prism, 120);
const prismStartup = (Date.now() - t0) / 1000;

// One exchange through the proxy. Every response is checked: Prism's own errors and its
// sl-violations header are violations; anything else is sikud's answer, which Prism has
// validated against the description.
const exchanges = [];
const violations = [];
const base = `http://127.0.0.1:${prismPort}`;
async function exchange(method, target, { headers = {}, body } = {}) {
    const res = await fetch(base + target, { method, headers, body, redirect: 'manual' });
    const buf = Buffer.from(await res.arrayBuffer());
    const ct = res.headers.get('content-type') ?? '';
    const [p, q = ''] = target.split('?');
    const op = operationOf(method, p);
    const rec = { method, path: p, query: q, status: res.status, content_type: ct, operation: op };
    let json = null;
    if (/json/.test(ct) && buf.length) {
        try {
            json = JSON.parse(buf.toString('utf8'));
        } catch {
            /* left as text */
        }
    }
    if (buf.length) {
        if (/json|text|yaml|csv/.test(ct)) rec.body = buf.toString('utf8');
        else rec.body_base64 = buf.toString('base64');
    }
    const problems = [];
    const header = res.headers.get('sl-violations');
    if (header) {
        let list;
        try {
            list = JSON.parse(header.replace(/^Too many violations! /, ''));
        } catch {
            list = [{ location: [], message: header }];
        }
        for (const v of list) problems.push(`${(v.location ?? []).join('.')}: ${v.message} (${v.severity ?? 'Error'})`);
    }
    const prismError = json && typeof json.type === 'string' && json.type.startsWith(PRISM_ERRORS);
    if (prismError) {
        rec.prism_error = json.type.slice(PRISM_ERRORS.length);
        if (Array.isArray(json.validation) && json.validation.length && !header)
            for (const v of json.validation)
                problems.push(`${(v.location ?? []).join('.')}: ${v.message} (${v.severity ?? 'Error'})`);
        if (!problems.length) problems.push(`${json.title}${json.detail ? ': ' + json.detail : ''}`);
    }
    if (problems.length) {
        rec.violations = problems;
        violations.push({ method, target, status: res.status, prism: rec.prism_error, problems });
    }
    exchanges.push(rec);
    if (opts.verbose) console.log(`${res.status} ${method} ${target}${problems.length ? '  ✗ ' + problems.join('; ') : ''}`);
    return { status: res.status, headers: res.headers, json, body: buf };
}

let sessionError = null;
const t1 = Date.now();
try {
    await runSession(exchange);
} catch (e) {
    sessionError = e;
}
const sessionSeconds = (Date.now() - t1) / 1000;

prism.kill('SIGTERM');
sikud.kill('SIGTERM');
const prismExit = await waitExit(prism, 5000);
const sikudExit = await waitExit(sikud, 15000);
void prismExit;

if (opts.record) fs.writeFileSync(opts.record, exchanges.map(e => JSON.stringify(e)).join('\n') + '\n');

// Report.
const reached = new Set(exchanges.filter(e => e.operation && !e.prism_error).map(e => e.operation));
const uncovered = operations.map(o => o.key).filter(k => !reached.has(k));
const byStatus = {};
for (const e of exchanges) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
const seen = new Set();
for (const v of violations) {
    const key = `${v.method} ${v.target} ${v.problems.join('|')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`FAIL ${v.method} ${v.target} → ${v.status}${v.prism ? ` (Prism ${v.prism})` : ''}`);
    // The same problem in every item of a list is one line: items.0, items.1, … become items.N.
    const grouped = new Map();
    for (const p of v.problems) {
        const k = p.replace(/\.\d+(?=[.:\s]|$)/g, '.N');
        grouped.set(k, (grouped.get(k) ?? 0) + 1);
    }
    for (const [p, n] of grouped) console.log(`     ${p}${n > 1 ? ` (×${n})` : ''}`);
}
for (const n of notes) console.log(`NOTE ${n}`);
for (const k of uncovered) console.log(`UNCOVERED ${k}`);
let failed = violations.length > 0;
if (sessionError) {
    console.log(`FAIL the session stopped: ${sessionError.message}`);
    failed = true;
}
if (failures.length) {
    console.log(`FAIL ${failures.length} section(s) of the session could not finish: ${failures.join(', ')}`);
    failed = true;
}
if (sikudExit.code !== 0) {
    console.log(`FAIL sikud exited with ${sikudExit.signal ?? sikudExit.code} (log: ${sikud.logFile})`);
    failed = true;
}
if (opts.requireCoverage && uncovered.length) failed = true;
console.log(
    `prism proxy --errors (${prismVersion()}, up in ${prismStartup.toFixed(1)} s): ${exchanges.length} exchanges in ` +
        `${sessionSeconds.toFixed(1)} s, ${reached.size} of ${operations.length} operations replayed, ` +
        `${uncovered.length} not covered, ${violations.length} exchanges with violations; statuses ` +
        Object.entries(byStatus).map(([s, n]) => `${s}×${n}`).join(' '));
process.exit(failed ? 1 : 0);

function prismVersion() {
    try {
        const pkg = JSON.parse(
            fs.readFileSync(path.join(HERE, 'node_modules', '@stoplight', 'prism-cli', 'package.json'), 'utf8'));
        return `@stoplight/prism-cli ${pkg.version}`;
    } catch {
        return '@stoplight/prism-cli';
    }
}
