// 匹配: a demand's ranked experts with their reasons and the "propose" action, the match board
// by state for staff, and the expert's offered matches with accept / decline.
import { api, idempotencyKey } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, fmtDate } from '../dom.js';
import { MATCH_STATUS, ACADEMY, TITLE, label } from '../labels.js';

const STAFF = ['admin', 'city_staff', 'county_staff'];
const isStaff = (u) => STAFF.includes(u.role);

// Steps staff take from each state; the expert answers proposed/contacted matches.
const STAFF_STEPS = {
  proposed: [['contacted', '已联系专家']],
  contacted: [],
  accepted: [['cooperating', '开始合作']],
  cooperating: [],
};
const OPEN = ['proposed', 'contacted', 'accepted', 'cooperating'];

export function statusBadge(m) {
  const kind = { accepted: 'ok', cooperating: 'ok', declined: 'warn', closed: 'muted' }[m.status] || '';
  return badge(m.status_label || label(MATCH_STATUS, m.status), kind);
}

function expertLine(e) {
  if (!e) return '';
  const bits = [e.kind === 'academician' ? (label(ACADEMY, e.academy) || '院士') : e.title_label || label(TITLE, e.title),
    e.position, e.affiliation].filter(Boolean);
  return bits.join(' · ');
}

// The reasons of a hit or a match: the Chinese summary, then each component's share.
export function reasonsView(r) {
  if (!r) return null;
  const comps = (r.components || []).filter((c) => c.contribution > 0.0005 || c.contribution < -0.0005);
  return h('div', { class: 'reasons' },
    r.summary ? h('p', { class: 'summary' }, r.summary) : null,
    comps.length ? h('ul', {}, comps.map((c) => h('li', {},
      h('span', { class: 'comp' }, c.label || c.name),
      h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill', dataset: { w: String(Math.round(Math.max(0, Math.min(1, c.value)) * 100)) } })),
      h('span', { class: 'pts' }, (c.contribution >= 0 ? '+' : '') + Number(c.contribution).toFixed(3)),
      c.detail ? h('span', { class: 'detail' }, c.detail) : null))) : null);
}

// Bars are sized from data attributes (the policy forbids inline style attributes in markup).
function sizeBars(root) {
  for (const el of root.querySelectorAll('.bar .fill')) el.style.width = el.dataset.w + '%';
}

async function step(m, status, reasonRequired) {
  let reason;
  if (reasonRequired) {
    reason = prompt('请填写原因');
    if (reason === null) return null;
    if (!reason.trim()) { notify('请填写原因', 'error'); return null; }
  }
  const body = reason ? { status, reason: reason.trim() } : { status };
  return api.patch('/matches/' + m.id, body, `"${m.version}"`);
}

function matchActions(m, user, onChange) {
  const buttons = [];
  const add = (text, status, opts = {}) => buttons.push(h('button', {
    type: 'button', class: opts.danger ? 'danger' : 'primary',
    async onclick(ev) {
      ev.target.disabled = true;
      try {
        const next = await step(m, status, opts.reason);
        if (next) { notify(`已更新为“${next.status_label || label(MATCH_STATUS, next.status)}”`); onChange(next); }
      } catch (e) {
        notify(e.detail || e.message, 'error');
      } finally {
        ev.target.disabled = false;
      }
    },
  }, text));
  if (user.role === 'expert') {
    if (['proposed', 'contacted'].includes(m.status)) {
      add('接受', 'accepted');
      add('婉拒', 'declined', { danger: true });
    }
    return buttons;
  }
  if (!isStaff(user)) return buttons;
  for (const [status, text] of STAFF_STEPS[m.status] || []) add(text, status);
  if (['proposed', 'contacted'].includes(m.status)) {
    add('代专家接受', 'accepted');
    add('代专家婉拒', 'declined', { danger: true });
  }
  if (m.status === 'cooperating' && !m.project_id) {
    buttons.push(h('button', {
      type: 'button',
      async onclick() {
        try {
          const p = await api.post(`/matches/${m.id}/project`, {});
          notify('已据此匹配立项：' + p.title);
        } catch (e) { notify(e.detail || e.message, 'error'); }
      },
    }, '据此立项'));
  }
  if (OPEN.includes(m.status)) add('关闭', 'closed', { danger: true, reason: true });
  return buttons;
}

// GET /demands/{id}/matches: the ranking, with what was already proposed and its state.
export async function forDemand(params, el, user) {
  // The ranking does not need the demand's own record; its title is a courtesy.
  const d = await api.get('/demands/' + params.id).catch((e) => {
    if (e.status === 404 && e.code === 'route_not_found') return { id: params.id, title: '需求 ' + params.id };
    throw e;
  });
  const staff = isStaff(user);
  const head = [h('p', {}, h('a', { href: '#/demands/' + d.id }, '← ' + d.title)), h('h1', {}, staff ? '匹配专家' : '推荐的专家'),
    h('p', { class: 'help' }, '按匹配度从高到低排列，并列出匹配的理由。只推荐同意推荐、可接受服务的专家和院士。')];
  const filters = buildForm([
    { name: 'kind', label: '类型', type: 'select', options: [['expert', '专家'], ['academician', '院士']] },
    { name: 'affiliation_kind', label: '单位类型', type: 'select', options: [['university', '高校'], ['institute', '科研院所'], ['enterprise', '企业'], ['other', '其他']] },
    { name: 'limit', label: '显示条数', type: 'select', required: true, options: [['10', '10'], ['20', '20'], ['50', '50']] },
  ], { limit: '20' }, { submitLabel: '重新匹配', onSubmit: async () => show() });
  filters.form.classList.add('filters');
  const list = h('div', { 'aria-live': 'polite' });
  clear(el, head, filters.form, list);

  async function show() {
    clear(list, h('p', { class: 'loading' }, '正在匹配…'));
    const [page, proposed] = await Promise.all([
      api.get(`/demands/${d.id}/matches`, filters.read()),
      staff ? api.get('/matches', { demand_id: d.id, limit: 200 }).catch(() => ({ items: [] })) : { items: [] },
    ]);
    const byExpert = new Map(proposed.items.map((m) => [m.expert_id, m]));
    const rows = page.items.map((hit) => {
      const e = hit.expert || {};
      const existing = byExpert.get(hit.expert_id);
      const name = e.name || '专家 ' + hit.expert_id;
      let control = null;
      if (existing) control = statusBadge(existing);
      else if (staff) control = h('button', {
        type: 'button', class: 'primary',
        async onclick(ev) {
          ev.target.disabled = true;
          try {
            const m = await api.post(`/demands/${d.id}/matches`, { expert_id: hit.expert_id }, { 'Idempotency-Key': idempotencyKey() });
            notify(`已推荐 ${name}`);
            ev.target.replaceWith(statusBadge(m));
          } catch (err) {
            ev.target.disabled = false;
            notify(err.detail || err.message, 'error');
          }
        },
      }, '推荐对接');
      return h('li', { class: 'card match', dataset: { expertId: String(hit.expert_id) } },
        h('div', { class: 'match-head' }, h('span', { class: 'rank' }, String(hit.rank)),
          h('strong', {}, staff ? h('a', { href: `#/${e.kind === 'academician' ? 'academicians' : 'experts'}/${hit.expert_id}` }, name) : name),
          e.kind === 'academician' ? badge('院士') : null,
          h('span', { class: 'muted' }, expertLine(e)),
          h('span', { class: 'score', title: '匹配度' }, Number(hit.score).toFixed(3)), control),
        e.research_fields ? h('p', { class: 'muted' }, '研究方向：' + e.research_fields) : null,
        reasonsView(hit.reasons));
    });
    clear(list, rows.length ? h('ol', { class: 'matches' }, rows) : h('p', {}, '暂未找到合适的专家。'));
    sizeBars(list);
  }
  await show();
}

// The match board (staff: every match by state) and the expert's offered matches.
export async function board(_params, el, user) {
  const expert = user.role === 'expert';
  const enterprise = user.role === 'enterprise';
  const filters = buildForm([
    { name: 'status', label: '状态', type: 'select', options: MATCH_STATUS },
  ], expert || enterprise ? {} : { status: 'proposed' }, { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');
  const table = pagedTable({
    columns: [
      { label: '需求', value: (m) => (expert ? m.demand?.title || '需求 ' + m.demand_id
        : h('a', { href: `#/demands/${m.demand_id}/matches` }, m.demand?.title || '需求 ' + m.demand_id)) },
      ...(expert ? [] : [{ label: '专家', value: (m) => [m.expert?.name || '', m.expert?.affiliation ? h('small', { class: 'muted' }, ' ' + m.expert.affiliation) : null] }]),
      { label: '匹配度', value: (m) => (m.score == null ? '' : Number(m.score).toFixed(3)) },
      { label: '状态', value: statusBadge },
      { label: '更新', value: (m) => fmtDate(m.updated_at) },
      ...(enterprise ? [] : [{ label: '操作', value: (m) => h('span', { class: 'actions', onclick: (e) => e.stopPropagation() },
        matchActions(m, user, () => table.reload())) }]),
    ],
    load: (cursor) => api.get('/matches', { ...filters.read(), limit: 20, cursor }),
    empty: expert ? '暂无向您推荐的需求' : enterprise ? '科协还没有为您的需求推荐专家' : '没有这个状态的匹配',
  });
  clear(el, h('h1', {}, expert ? '推荐给我的需求' : enterprise ? '对接进展' : '匹配看板'),
    h('p', { class: 'help' }, expert ? '科协为您推荐的企业需求；接受后科协会安排对接。'
      : enterprise ? '科协为您的需求推荐的专家，以及对接进行到哪一步。'
        : '推荐 → 联系 → 专家接受或婉拒 → 合作 → 关闭；每一步都有记录。'),
    filters.form, table.el);
  await table.reload();
  if (expert && user.expert_id) {
    try {
      const recs = await api.get(`/experts/${user.expert_id}/recommended-demands`, { limit: 10 });
      if (recs.items.length) el.append(h('section', { class: 'card' }, h('h2', {}, '可能适合您的需求'),
        h('ol', {}, recs.items.map((r) => h('li', {}, r.demand?.title || '需求 ' + r.demand_id,
          r.demand?.enterprise_name ? `（${r.demand.enterprise_name}）` : '',
          h('span', { class: 'muted' }, ` 匹配度 ${Number(r.score).toFixed(3)} · ${r.reasons?.summary || ''}`))))));
    } catch { /* recommendations are optional here */ }
  }
}
