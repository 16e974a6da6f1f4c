// The console: sign-in, the role's menu, and a hash router over the views.
import { api, session } from './api.js';
import { h, clear, buildForm, notify } from './dom.js';
import { ROLE_LABELS } from './labels.js';

// Views load on first use, so the sign-in screen waits for the core modules only.
const lazy = (file, name, ...args) => async (params, el, user) => {
  const mod = await import(`./views/${file}.js`);
  const view = args.length ? mod[name](...args) : mod[name];
  return view(params, el, user);
};

const STAFF = ['admin', 'city_staff', 'county_staff'];

// Menu entries by role: [hash, label, roles].
const MENU = [
  ['#/', '首页', null],
  ['#/enterprises', '企业库', STAFF],
  ['#/experts', '专家库', STAFF],
  ['#/academicians', '院士库', STAFF],
  ['#/demands', '需求库', STAFF],
  ['#/matches', '匹配看板', STAFF],
  ['#/projects', '科技项目库', STAFF],
  ['#/workstations', '院士工作站', STAFF],
  ['#/assessments', '年度考核', STAFF],
  ['#/imports', '批量导入', STAFF],
  ['#/thesaurus', '同义词表', STAFF],
  ['#/my/demands', '我的需求', ['enterprise']],
  ['#/my/matches', '对接进展', ['enterprise']],
  ['#/workstations', '我的工作站', ['enterprise']],
  ['#/projects', '我的项目', ['enterprise', 'expert']],
  ['#/my/enterprise', '企业信息', ['enterprise']],
  ['#/my/matches', '推荐给我的需求', ['expert']],
  ['#/my/reviews', '评审任务', ['expert']],
  ['#/my/profile', '我的资料', ['expert']],
];

// Routes: pattern with :params -> view(params, main, user).
const ROUTES = [
  ['/', lazy('home', 'view')],
  ['/enterprises', lazy('enterprises', 'list')],
  ['/enterprises/new', lazy('enterprises', 'create')],
  ['/enterprises/:id', lazy('enterprises', 'detail')],
  ['/experts', lazy('people', 'list', 'experts')],
  ['/experts/:id', lazy('people', 'detail', 'experts')],
  ['/academicians', lazy('people', 'list', 'academicians')],
  ['/academicians/:id', lazy('people', 'detail', 'academicians')],
  ['/demands', lazy('demands', 'list')],
  ['/demands/new', lazy('demands', 'create')],
  ['/demands/:id', lazy('demands', 'detail')],
  ['/demands/:id/matches', lazy('matches', 'forDemand')],
  ['/matches', lazy('matches', 'board')],
  ['/my/matches', lazy('matches', 'board')],
  ['/my/demands', lazy('demands', 'list')],
  ['/projects', lazy('projects', 'list')],
  ['/projects/new', lazy('projects', 'create')],
  ['/projects/:id', lazy('projects', 'detail')],
  ['/workstations', lazy('workstations', 'list')],
  ['/workstations/:id', lazy('workstations', 'detail')],
  ['/workstations/:id/reports/:year', lazy('workstations', 'report')],
  ['/assessments', lazy('assessments', 'redirect')],
  ['/assessments/:year', lazy('assessments', 'year')],
  ['/assessments/:year/panels', lazy('panels', 'list')],
  ['/assessments/:year/panels/:id', lazy('panels', 'detail')],
  ['/my/reviews', lazy('panels', 'mine')],
  ['/imports', lazy('imports', 'view')],
  ['/thesaurus', lazy('thesaurus', 'view')],
  ['/my/enterprise', lazy('enterprises', 'mine')],
  ['/my/profile', lazy('people', 'mine')],
];

const main = () => document.getElementById('main');

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view] of ROUTES) {
    const pp = pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params = {};
    if (pp.every((p, i) => (p.startsWith(':') ? (params[p.slice(1)] = decodeURIComponent(parts[i]), true) : p === parts[i])))
      return { view, params };
  }
  return null;
}

function renderMenu(user) {
  const nav = document.getElementById('nav');
  const here = location.hash || '#/';
  const items = MENU.filter(([, , roles]) => !roles || roles.includes(user.role));
  clear(nav, h('ul', {}, items.map(([href, text]) => {
    const active = href === '#/' ? here === '#/' || here === '' : here.startsWith(href);
    return h('li', {}, h('a', { href, 'aria-current': active ? 'page' : null }, text));
  })));
  nav.hidden = false;
  document.getElementById('menu-toggle').hidden = false;
  const who = document.getElementById('who');
  clear(who, user.display_name || user.username, h('small', {}, ' · ' + (user.role_label || ROLE_LABELS[user.role] || user.role)));
  document.getElementById('logout').hidden = false;
}

async function route() {
  const user = session.user;
  if (!user || !session.token) return showLogin();
  renderMenu(user);
  document.body.classList.remove('nav-open');
  const path = (location.hash || '#/').slice(1).split('?')[0] || '/';
  const m = match(path);
  const el = main();
  if (!m) {
    clear(el, h('h1', {}, '页面不存在'), h('p', {}, h('a', { href: '#/' }, '回到首页')));
    return;
  }
  clear(el, h('p', { class: 'loading' }, '正在加载…'));
  try {
    await m.view(m.params, el, user);
  } catch (e) {
    clear(el, h('h1', {}, '出错了'), h('p', { class: 'form-error', role: 'alert' }, e.detail || e.message),
      e.requestId ? h('p', { class: 'help' }, '请求编号：' + e.requestId) : null);
  }
  el.focus({ preventScroll: true });
}

function loginForm(onDone) {
  const specs = [
    { name: 'username', label: '用户名', required: true, autocomplete: 'username' },
    { name: 'password', label: '密码', type: 'password', required: true, autocomplete: 'current-password' },
  ];
  const f = buildForm(specs, {}, {
    submitLabel: '登录',
    async onSubmit(read) {
      const v = read();
      if (!v.username || !v.password) {
        f.showErrors({ detail: '请输入用户名和密码', errors: [] });
        return;
      }
      await api.login(v.username, f.fields.password.input.value);
      onDone();
    },
  });
  f.form.classList.add('login-form');
  return f;
}

function showLogin() {
  document.getElementById('nav').hidden = true;
  document.getElementById('menu-toggle').hidden = true;
  document.getElementById('logout').hidden = true;
  clear(document.getElementById('who'));
  const f = loginForm(() => route());
  clear(main(), h('div', { class: 'login card' },
    h('h1', {}, '登录'),
    h('p', { class: 'help' }, '科协工作人员、企业联系人和专家使用各自的账号登录。'),
    f.form));
  f.fields.username.input.focus();
  performance.mark('siku-ready');
}

// Called by the API client on 401: asks for the password in a dialog over the page.
function relogin() {
  const dlg = document.getElementById('relogin');
  if (dlg.open) return Promise.resolve(false);
  return new Promise((resolve) => {
    const f = loginForm(() => { resolve(true); dlg.close(); renderMenu(session.user); });
    const cancel = h('button', { type: 'button', onclick: () => { dlg.close(); } }, '取消');
    f.form.querySelector('.actions').append(cancel);
    const prev = session.user;
    if (prev) f.fields.username.input.value = prev.username;
    clear(document.getElementById('relogin-form'), f.form);
    dlg.addEventListener('close', () => { clear(document.getElementById('relogin-form')); resolve(false); }, { once: true });
    dlg.showModal();
    (prev ? f.fields.password : f.fields.username).input.focus();
  });
}

function start() {
  session.onExpired(relogin);
  document.getElementById('logout').addEventListener('click', async () => {
    await api.logout();
    notify('已退出登录');
    location.hash = '#/';
    showLogin();
  });
  const toggle = document.getElementById('menu-toggle');
  toggle.addEventListener('click', () => {
    const open = document.body.classList.toggle('nav-open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  window.addEventListener('hashchange', route);
  route();
}

start();
