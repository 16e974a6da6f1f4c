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

async function send(method, path, { body, params, headers = {}, retry = true } = {}) {
  const h = { Accept: 'application/json', ...headers };
  // Sign-in carries no token: an expired one would get the sign-in itself refused.
  if (session.token && path !== '/auth/login') h.Authorization = 'Bearer ' + session.token;
  let payload;
  if (body !== undefined) {
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
    if (await reauth()) return send(method, path, { body, params, headers, retry: false });
  }
  const type = res.headers.get('Content-Type') || '';
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

// A fresh key per create, kept while the same form is retried (so a retry makes one record).
export function idempotencyKey() {
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
