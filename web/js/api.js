// The API client: bearer token, JSON in and out, problem+json turned into ApiError, and a
// session that expires handled by asking for the password again, then retrying the request.

const TOKEN_KEY = 'siku.token';
const USER_KEY = 'siku.user';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `请求失败（${status}）`);
    this.status = status;
    this.code = problem?.code || 'http_' + status;
    this.title = problem?.title || '请求失败';
    this.detail = problem?.detail || '';
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    this.requestId = problem?.request_id || '';
    this.problem = problem || null; // the whole body: some problems carry a report (imports)
  }
  // The message for one field, or '' (fields are named in English, messages are Chinese).
  fieldMessage(field) {
    const e = this.errors.find((x) => x.field === field);
    return e ? e.message || e.code : '';
  }
}

let reauth = null; // set by the app: async () => true once the user signed in again

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || ''; },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
  onExpired(fn) { reauth = fn; },
};

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// raw: the body is sent as it is (a File or Blob, for uploads); blob: a 2xx answer is read as
// a Blob (downloads), problems are still JSON.
async function send(method, path, { body, params, headers = {}, retry = true, raw, blob } = {}) {
  const h = { Accept: blob ? '*/*' : 'application/json', ...headers };
  // Sign-in carries no token: an expired one would get the sign-in itself refused.
  if (session.token && path !== '/auth/login') h.Authorization = 'Bearer ' + session.token;
  let payload;
  if (raw !== undefined) {
    h['Content-Type'] ||= raw.type || 'application/octet-stream';
    payload = raw;
  } else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path + query(params), { method, headers: h, body: payload });
  } catch {
    throw new ApiError(0, { code: 'network', title: '网络错误', detail: '无法连接服务器，请检查网络后重试' });
  }
  if (res.status === 401 && retry && session.token && reauth && path !== '/auth/login') {
    // The token expired or was revoked: sign in again in a dialog, keep the page, retry.
    if (await reauth()) return send(method, path, { body, params, headers, retry: false, raw, blob });
  }
  const type = res.headers.get('Content-Type') || '';
  if (blob && res.ok)
    return { data: await res.blob(), etag: res.headers.get('ETag'), status: res.status, headers: res.headers };
  const data = res.status === 204 ? null
    : type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, data && typeof data === 'object' ? data : null);
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

export const api = {
  get: async (path, params) => (await send('GET', path, { params })).data,
  getWithEtag: (path, params) => send('GET', path, { params }),
  post: async (path, body, headers) => (await send('POST', path, { body, headers })).data,
  patch: async (path, body, etag) =>
    (await send('PATCH', path, { body, headers: etag ? { 'If-Match': etag } : {} })).data,
  action: async (path, body, etag) =>
    (await send('POST', path, { body, headers: etag ? { 'If-Match': etag } : {} })).data,
  // A whole replacement; answers {data, etag} (201 when it created the resource).
  put: (path, body, etag) => send('PUT', path, { body, headers: etag ? { 'If-Match': etag } : {} }),
  del: async (path) => (await send('DELETE', path)).data,
  // A file as the request body (imports); answers the JSON reply.
  upload: async (path, file, params) => (await send('POST', path, { raw: file, params })).data,
  // Fetches a file with the token (a plain link cannot send Authorization) and saves it under
  // the name the server gives in Content-Disposition, else fallbackName.
  async download(path, params, fallbackName) {
    const res = await send('GET', path, { params, blob: true });
    const name = fileName(res.headers.get('Content-Disposition')) || fallbackName;
    const url = URL.createObjectURL(res.data);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return name;
  },
  async login(username, password) {
    const { data } = await send('POST', '/auth/login', { body: { username, password }, retry: false });
    session.save(data.token, data.user);
    return data.user;
  },
  async logout() {
    try { await send('POST', '/auth/logout', { retry: false }); } catch { /* gone already */ }
    session.clear();
  },
};

// The file name of a Content-Disposition header: the RFC 5987 filename* (UTF-8, may be
// Chinese) before the plain filename.
export function fileName(cd) {
  if (!cd) return '';
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(cd);
  if (star) {
    try { return decodeURIComponent(star[1].trim()); } catch { /* fall back to the plain name */ }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(cd);
  return plain ? (plain[1] ?? plain[2]).trim() : '';
}

// A fresh key per create, kept while the same form is retried (so a retry makes one record).
export function idempotencyKey() {
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
