// The first screen after sign-in: what this role can do, with the figures at hand.
import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { ROLE_LABELS } from '../labels.js';

const STAFF_CARDS = [
  ['#/enterprises', '企业库', '企业名录、信用代码、联系人', '/enterprises'],
  ['#/experts', '专家库', '专家检索、学科与行业、服务方式', '/experts'],
  ['#/academicians', '院士库', '两院院士与外籍院士', '/academicians'],
  ['#/demands', '需求库', '企业技术需求的审核、发布与匹配', '/demands'],
  ['#/projects', '科技项目库', '院士工作站合作、产学研合作与成果转化项目', '/projects'],
  ['#/workstations', '院士工作站', '工作站状态与年度报告', '/workstations'],
  ['#/matches', '匹配看板', '专家推荐与对接进展', '/matches'],
];

async function countOf(path) {
  // One item is enough to know whether the library answers; lists carry no total.
  try {
    const p = await api.get(path, { limit: 1 });
    return p.items.length ? '有记录' : '暂无记录';
  } catch (e) {
    return e.status === 404 ? '即将开放' : '';
  }
}

export async function view(_params, el, user) {
  const hello = h('h1', {}, `您好，${user.display_name || user.username}`);
  const role = h('p', { class: 'help' }, user.role_label || ROLE_LABELS[user.role]);
  if (user.role === 'enterprise') {
    clear(el, hello, role, h('div', { class: 'cards' },
      h('a', { class: 'card link-card', href: '#/my/demands' }, h('h2', {}, '我的需求'), h('p', {}, '发布技术难题、人才与合作需求，查看推荐的专家')),
      h('a', { class: 'card link-card', href: '#/my/enterprise' }, h('h2', {}, '企业信息'), h('p', {}, '联系人、地址等信息'))));
    return;
  }
  if (user.role === 'expert') {
    clear(el, hello, role, h('div', { class: 'cards' },
      h('a', { class: 'card link-card', href: '#/my/profile' }, h('h2', {}, '我的资料'), h('p', {}, '个人资料与推荐授权'))));
    return;
  }
  const cards = STAFF_CARDS.map(([href, title, text, path]) => {
    const state = h('small', { class: 'help' });
    countOf(path).then((t) => { state.textContent = t; });
    return h('a', { class: 'card link-card', href }, h('h2', {}, title), h('p', {}, text), state);
  });
  clear(el, hello, role, h('div', { class: 'cards' }, cards));
}
