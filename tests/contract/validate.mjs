#!/usr/bin/env node
// Checks HTTP exchanges recorded by the C integration tests against the OpenAPI 3.1 spec:
// every response must be one the spec describes (status, media type, JSON body schema).
//
// Usage: node validate.mjs [--require-coverage] <openapi.yaml> <exchanges.jsonl> [more.jsonl...]
// Exit: 0 clean, 1 violations, 2 usage error or unreadable spec/exchange file.

import fs from 'node:fs';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// The whole spec is registered with ajv under this id so that schemas are compiled as
// `<id>#/json/pointer` and their internal `#/components/...` refs resolve in place.
const SPEC_ID = 'urn:siku:openapi';

const USAGE = 'usage: node validate.mjs [--require-coverage] <openapi.yaml> <exchanges.jsonl> [more.jsonl...]';

function fatal(message) {
  console.error(`validate.mjs: ${message}`);
  process.exit(2);
}

// --- JSON pointers and $refs ------------------------------------------------------------

function pointerOf(tokens) {
  // URI-encoded as well as ~-escaped: ajv reads the pointer out of a URI fragment, and
  // path templates carry characters such as `{` that are not valid in one.
  return '#' + tokens.map((t) => '/' + encodeURIComponent(String(t).replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
}

function tokensOf(ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref} (only internal refs are)`);
  return ref.slice(2).split('/').map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
}

// Follows a node's `$ref` chain; returns the final node and the pointer tokens it lives at.
function deref(spec, node, tokens) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
    seen.add(ref);
    tokens = tokensOf(ref);
    node = tokens.reduce((n, t) => (n && typeof n === 'object' ? n[t] : undefined), spec);
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return { node, tokens };
}

// --- Routing ----------------------------------------------------------------------------

// The path prefix every template sits under, from servers[0].url ('' for '/' or no servers).
function basePath(spec) {
  const url = spec.servers?.[0]?.url ?? '/';
  let path = url;
  if (!url.startsWith('/')) {
    try {
      path = new URL(url).pathname;
    } catch {
      path = '/'; // templated server URLs such as `{scheme}://...`: assume the root
    }
  }
  return path.replace(/\/+$/, '');
}

// A template segment: literal text, a whole `{param}`, or a mix such as `{id}.json`.
// Rank orders specificity when several templates match: literal before mixed before param.
function compileSegment(seg) {
  if (!seg.includes('{')) return { rank: 0, test: (s) => s === seg };
  const source = seg.split(/(\{[^}]*\})/).map((part) =>
    part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`^${source.join('')}$`);
  return { rank: /^\{[^}]*\}$/.test(seg) ? 2 : 1, test: (s) => re.test(s) };
}

function compileRoutes(spec) {
  return Object.keys(spec.paths ?? {}).map((template) => {
    const { node: item, tokens } = deref(spec, spec.paths[template], ['paths', template]);
    return { template, item, tokens, segments: template.split('/').slice(1).map(compileSegment) };
  });
}

// Decodes one path segment the way the siku server does, or returns null for a segment it
// rejects before routing (bad escape, invalid UTF-8, encoded '/', control byte, dot segment).
function decodeSegment(raw) {
  let s;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (/[/\x00-\x1f\x7f]/.test(s) || s === '.' || s === '..') return null;
  return s;
}

// Returns the best-matching route for a raw request path, or null.
function matchRoute(routes, base, rawPath) {
  if (!rawPath.startsWith(base + '/')) return null;
  const segments = rawPath.slice(base.length).split('/').slice(1).map(decodeSegment);
  if (segments.includes(null)) return null;
  const candidates = routes.filter((r) =>
    r.segments.length === segments.length && r.segments.every((seg, i) => seg.test(segments[i])));
  // Leftmost segment where two candidates differ decides: the more literal one wins.
  const compare = (a, b) => {
    const i = a.segments.findIndex((seg, k) => seg.rank !== b.segments[k].rank);
    return i < 0 ? 0 : a.segments[i].rank - b.segments[i].rank;
  };
  return candidates.sort(compare)[0] ?? null;
}

// --- Responses --------------------------------------------------------------------------

// Picks the response key for a status: exact, then `4XX`-style range, then `default`.
function responseKey(responses, status) {
  for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
    if (responses && Object.hasOwn(responses, key)) return key;
  }
  return null;
}

function mediaTypeOf(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(mediaType) {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

// Finds the content key documenting a media type: exact match first, then `type/*`, `*/*`.
function contentKey(content, mediaType) {
  const keys = Object.keys(content);
  const byMedia = (want) => keys.find((k) => mediaTypeOf(k) === want);
  return byMedia(mediaType) ?? byMedia(mediaType.replace(/\/.*/, '/*')) ?? byMedia('*/*') ?? null;
}

// ajv's message plus the params its message leaves out (which property, which values).
function ajvReason(err) {
  const p = err.params ?? {};
  let reason = `body${err.instancePath} ${err.message}`;
  const property = p.additionalProperty ?? p.unevaluatedProperty;
  if (property !== undefined) reason += `: '${property}'`;
  if (p.allowedValues !== undefined) reason += `: ${JSON.stringify(p.allowedValues)}`;
  if (p.allowedValue !== undefined) reason += `: ${JSON.stringify(p.allowedValue)}`;
  return reason;
}

// Checks one exchange against a response object (already located); returns reasons.
function checkResponse(ctx, exchange, response, tokens) {
  const content = response.content ?? {};
  const body = exchange.body ?? '';
  const hasBody = body !== '' || Boolean(exchange.body_base64);
  const isHead = exchange.method === 'HEAD';

  if (Object.keys(content).length === 0) {
    return hasBody ? ['response has a body but the spec documents no content'] : [];
  }
  const mediaType = mediaTypeOf(exchange.content_type);
  const documented = Object.keys(content).join(', ');
  if (mediaType === '') return [`missing Content-Type (documented: ${documented})`];
  const key = contentKey(content, mediaType);
  if (key === null) return [`Content-Type ${mediaType} not documented (documented: ${documented})`];

  // A HEAD response carries no body, and a binary one is checked by its type only.
  if (isHead || exchange.body_base64 !== undefined || !isJson(mediaType)) return [];
  if (body === '') return [`empty body, ${key} is documented`];
  let instance;
  try {
    instance = JSON.parse(body);
  } catch (e) {
    return [`body is not valid JSON: ${e.message}`];
  }
  if (content[key].schema === undefined) return [];
  const pointer = pointerOf([...tokens, 'content', key, 'schema']);
  let validate = ctx.validators.get(pointer);
  if (!validate) {
    validate = ctx.ajv.compile({ $ref: SPEC_ID + pointer });
    ctx.validators.set(pointer, validate);
  }
  return validate(instance) ? [] : validate.errors.map(ajvReason);
}

// Locates and checks the response for a request that reached no operation, per the
// top-level `x-unmatched-responses` map (status -> response object or $ref to one);
// `missing` is the reason reported when the map has no entry for the status either.
function checkUnmatched(ctx, exchange, missing) {
  const key = responseKey(ctx.unmatched, exchange.status);
  if (key === null) return [missing];
  const { node, tokens } = deref(ctx.spec, ctx.unmatched[key], ['x-unmatched-responses', key]);
  return checkResponse(ctx, exchange, node, tokens);
}

// Checks one exchange; returns the violation reasons (empty if it conforms).
function checkExchange(ctx, exchange) {
  const route = matchRoute(ctx.routes, ctx.base, exchange.path);
  const status = exchange.status;
  if (route === null) return checkUnmatched(ctx, exchange, `status ${status} not described for an unmatched path`);

  let method = exchange.method.toLowerCase();
  if (method === 'head' && !route.item.head) method = 'get'; // HEAD is served as GET
  const operation = METHODS.includes(method) ? route.item[method] : undefined;
  if (!operation) {
    return checkUnmatched(ctx, exchange, `status ${status} not described for undocumented method ${exchange.method}`);
  }
  const op = `${method.toUpperCase()} ${route.template}`;
  // A HEAD answered by GET checks no body, so it does not count as exercising GET.
  if (method === exchange.method.toLowerCase()) ctx.covered.add(op);

  const key = responseKey(operation.responses, status);
  // Limits, timeouts and framing errors (408, 413, 431, ...) are answered before routing,
  // so a request aimed at a documented operation may still get an unmatched-request answer.
  if (key === null) {
    return checkUnmatched(ctx, exchange, `status ${status} not documented for ${op} nor in x-unmatched-responses`);
  }
  const { node, tokens } = deref(ctx.spec, operation.responses[key], [...route.tokens, method, 'responses', key]);
  return checkResponse(ctx, exchange, node, tokens);
}

// --- Setup and reporting ----------------------------------------------------------------

function loadContext(specFile) {
  const spec = YAML.parse(fs.readFileSync(specFile, 'utf8'));
  // Each entry is a response object, a `{ $ref }` to one, or the bare ref string.
  const unmatched = {};
  const declared = spec['x-unmatched-responses'] ??
    (spec.components?.responses?.NotFound ? { 404: '#/components/responses/NotFound' } : {});
  for (const [status, entry] of Object.entries(declared)) {
    unmatched[status] = typeof entry === 'string' ? { $ref: entry } : entry;
    // Fail early on a dangling ref: Redocly neither follows nor checks refs in extensions.
    deref(spec, unmatched[status], ['x-unmatched-responses', status]);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec, SPEC_ID);
  return {
    spec, unmatched, ajv,
    base: basePath(spec),
    routes: compileRoutes(spec),
    validators: new Map(),
    covered: new Set(),
  };
}

function readExchanges(file, onExchange, onMalformed) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fatal(e.message);
  }
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let ex;
    try {
      ex = JSON.parse(line);
    } catch (e) {
      onMalformed(`${file}:${i + 1}: not JSON: ${e.message}`);
      return;
    }
    if (typeof ex.method !== 'string' || typeof ex.path !== 'string' || !Number.isInteger(ex.status)) {
      onMalformed(`${file}:${i + 1}: exchange needs string method and path and integer status`);
      return;
    }
    onExchange(ex);
  });
}

function main(argv) {
  const requireCoverage = argv.includes('--require-coverage');
  const [specFile, ...exchangeFiles] = argv.filter((a) => a !== '--require-coverage');
  if (!specFile || exchangeFiles.length === 0) fatal(`need a spec and at least one exchanges file\n${USAGE}`);

  let ctx;
  try {
    ctx = loadContext(specFile);
  } catch (e) {
    fatal(`${specFile}: ${e.message}`);
  }

  // Identical violations are printed once, with a count; insertion order is kept.
  const violations = new Map();
  const report = (line) => violations.set(line, (violations.get(line) ?? 0) + 1);
  let exchanges = 0;
  for (const file of exchangeFiles) {
    readExchanges(file, (ex) => {
      exchanges++;
      let reasons;
      try {
        reasons = checkExchange(ctx, ex);
      } catch (e) {
        reasons = [`spec error: ${e.message}`]; // e.g. a broken $ref or schema
      }
      for (const reason of reasons) report(`FAIL ${ex.method} ${ex.path} ${ex.status}: ${reason}`);
    }, (message) => report(`FAIL ${message}`));
  }

  for (const [line, count] of violations) console.log(count > 1 ? `${line} (x${count})` : line);
  let total = [...violations.values()].reduce((a, b) => a + b, 0);
  for (const route of ctx.routes) {
    for (const method of METHODS) {
      const op = `${method.toUpperCase()} ${route.template}`;
      if (route.item[method] && !ctx.covered.has(op)) {
        console.log(`UNCOVERED ${op}`);
        if (requireCoverage) total++;
      }
    }
  }
  console.log(`contract: ${exchanges} exchanges, ${ctx.covered.size} operations covered, ${total} violations`);
  process.exitCode = total > 0 ? 1 : 0;
}

main(process.argv.slice(2));
