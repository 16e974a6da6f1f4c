// 需求库: the enterprise's own demands (create, edit, submit, withdraw), the staff review queue
// with workflow actions, a demand's history, and its ranked matches with their reasons.
import { api, idempotencyKey } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate } from '../dom.js';
import { DEMAND_KIND, DEMAND_STATUS, SERVICE_MODES, loadRegions, label, labels } from '../labels.js';

const STAFF = ['admin', 'city_staff', 'county_staff'];
const isStaff = (u) => STAFF.includes(u.role);

// Workflow actions offered by status and role; the API decides in the end (409 otherwise).
const ACTIONS = [
  { action: 'submit', text: '提交审核', from: ['draft'], who: 'enterprise' },
  { action: 'revise', text: '重新编辑', from: ['rejected', 'withdrawn'], who: 'enterprise' },
  { action: 'publish', text: '审核通过并发布', from: ['submitted'], who: 'staff' },
  { action: 'reject', text: '退回', from: ['submitted'], who: 'staff', reason: true, danger: true },
  { action: 'withdraw', text: '撤回', from: ['draft', 'submitted', 'published'], who: 'enterprise', reason: true, danger: true },
  { action: 'close', text: '关闭需求', from: ['published', 'matching', 'matched', 'cooperating'], who: 'staff', reason: true },
];
const EDITABLE = ['draft', 'rejected', 'withdrawn'];

function statusBadge(d) {
  const kind = { published: 'ok', matching: 'ok', matched: 'ok', cooperating: 'ok', rejected: 'warn', withdrawn: 'muted', closed: 'muted' }[d.status] || '';
  return badge(d.status_label || label(DEMAND_STATUS, d.status), kind);
}

function specs(regions, user) {
  const s = [
    { name: 'title', label: '需求名称', required: true, max: 200, wide: true },
    { name: 'kind', label: '需求类型', type: 'select', options: DEMAND_KIND, required: true },
    { name: 'region_code', label: '所在地区', type: 'select', options: regions },
    { name: 'description', label: '需求描述', type: 'textarea', rows: 6, wide: true, max: 8000,
      help: '说明要解决的问题、现有基础和期望的成果，越具体越容易匹配到合适的专家' },
    { name: 'keywords', label: '关键词（用逗号分隔）', type: 'list', wide: true, placeholder: '如 锂电池，正极材料' },
    { name: 'industry_code', label: '行业代码（GB/T 4754）', max: 16, placeholder: '如 C38' },
    { name: 'budget_min', label: '预算下限（万元）', type: 'number', min: 0, step: '0.01' },
    { name: 'budget_max', label: '预算上限（万元）', type: 'number', min: 0, step: '0.01' },
    { name: 'deadline', label: '期望完成日期', type: 'date' },
  ];
  if (isStaff(user)) s.unshift({ name: 'enterprise_id', label: '企业编号', type: 'number', required: true, min: 1 });
  return s;
}

function serviceModesField(values) {
  // Checkboxes for the service modes wanted; read into `service_modes`.
  const boxes = SERVICE_MODES.map(([code, text]) => {
    const id = 'sm-' + code;
    return h('label', { class: 'inline', for: id },
      h('input', { type: 'checkbox', id, value: code, checked: (values.service_modes || []).includes(code) }), text);
  });
  const err = h('span', { class: 'field-error' });
  const el = h('fieldset', { class: 'field wide' }, h('legend', {}, '希望的合作方式'), boxes, err);
  return { el, err, read: () => boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value) };
}

function demandForm(regions, user, values, onSave, submitLabel) {
  const modes = serviceModesField(values);
  const f = buildForm(specs(regions, user), values, {
    submitLabel,
    async onSubmit(read) {
      const body = read(Boolean(values.id));
      const sm = modes.read();
      if (!values.id || JSON.stringify(sm) !== JSON.stringify(values.service_modes || [])) body.service_modes = sm;
      clear(modes.err);
      try {
        await onSave(body);
      } catch (e) {
        const m = e.fieldMessage ? e.fieldMessage('service_modes') : '';
        if (m) clear(modes.err, m);
        throw e;
      }
    },
  });
  f.form.querySelector('.grid').append(modes.el);
  return f;
}

export async function list(_params, el, user) {
  const regions = await loadRegions(api);
  const staff = isStaff(user);
  const filters = buildForm([
    { name: 'q', label: '搜索', placeholder: '需求名称、描述、关键词' },
    { name: 'status', label: '状态', type: 'select', options: DEMAND_STATUS },
    { name: 'kind', label: '类型', type: 'select', options: DEMAND_KIND },
    ...(staff ? [{ name: 'region_code', label: '地区', type: 'select', options: regions }] : []),
  ], staff ? { status: 'submitted' } : {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');
  const table = pagedTable({
    columns: [
      { label: '需求名称', value: (d) => d.title },
      { label: '类型', value: (d) => d.kind_label || label(DEMAND_KIND, d.kind) },
      { label: '状态', value: statusBadge },
      { label: '地区', value: (d) => label(regions, d.region_code) },
      { label: '预算（万元）', value: (d) => budget(d) },
      { label: '更新', value: (d) => fmtDate(d.updated_at) },
    ],
    async load(cursor) {
      const f = filters.read();
      return api.get('/demands', { ...f, sort: f.q ? 'relevance' : undefined, limit: 20, cursor });
    },
    onRow: (d) => { location.hash = '#/demands/' + d.id; },
    empty: staff ? '没有符合条件的需求' : '还没有需求，点击“发布新需求”开始',
  });
  clear(el, h('div', { class: 'page-head' }, h('h1', {}, staff ? '需求库' : '我的需求'),
    h('a', { class: 'button primary', href: '#/demands/new' }, staff ? '代企业登记需求' : '发布新需求')),
  staff ? h('p', { class: 'help' }, '默认显示待审核的需求；清空“状态”查看全部。') : null,
  filters.form, table.el);
  try {
    await api.get('/demands', { limit: 1 });
  } catch (e) {
    if (e.status === 404 && e.code === 'route_not_found') {
      clear(el, h('h1', {}, '需求库'), h('p', {}, '需求库的接口尚未开放，请稍后再试。'));
      return;
    }
  }
  await table.reload();
}

function budget(d) {
  const a = d.budget_min, b = d.budget_max;
  if (a == null && b == null) return '';
  if (a != null && b != null) return `${a}–${b}`;
  return a != null ? `≥ ${a}` : `≤ ${b}`;
}

export async function create(_params, el, user) {
  const regions = await loadRegions(api);
  const key = idempotencyKey();
  const values = { region_code: '', kind: 'technical_problem' };
  const f = demandForm(regions, user, values, async (body) => {
    if (!isStaff(user)) body.enterprise_id = user.enterprise_id;
    const d = await api.post('/demands', body, { 'Idempotency-Key': key });
    notify('需求已保存为草稿');
    location.hash = '#/demands/' + d.id;
  }, '保存草稿');
  clear(el, h('p', {}, h('a', { href: isStaff(user) ? '#/demands' : '#/my/demands' }, '← 返回列表')),
    h('h1', {}, '发布新需求'), h('p', { class: 'help' }, '先保存为草稿，确认无误后“提交审核”；审核通过后需求会公开发布并开始匹配专家。'), f.form);
}

function actionsFor(d, user) {
  const who = isStaff(user) ? 'staff' : user.role;
  // Staff may also act for an enterprise (submit or withdraw on its behalf).
  return ACTIONS.filter((a) => a.from.includes(d.status) && (a.who === who || who === 'staff'));
}

export async function detail(params, el, user) {
  const regions = await loadRegions(api);
  let { data: d, etag } = await api.getWithEtag('/demands/' + params.id);
  const back = isStaff(user) ? '#/demands' : '#/my/demands';

  async function act(a) {
    let body;
    if (a.reason) {
      const reason = prompt(`${a.text}：请填写原因${a.action === 'reject' ? '（必填）' : '（可不填）'}`);
      if (reason === null) return;
      if (a.action === 'reject' && !reason.trim()) { notify('退回需要填写原因', 'error'); return; }
      body = reason.trim() ? { reason: reason.trim() } : undefined;
    }
    try {
      d = await api.action(`/demands/${d.id}/${a.action}`, body, etag);
      etag = `"${d.version}"`;
      notify(`已${a.text}`);
      render();
    } catch (e) {
      notify(e.detail || e.message, 'error');
    }
  }

  function render() {
    const actions = actionsFor(d, user).map((a) =>
      h('button', { type: 'button', class: a.danger ? 'danger' : 'primary', onclick: () => act(a) }, a.text));
    if (isStaff(user) && ['published', 'matching', 'matched', 'cooperating'].includes(d.status))
      actions.unshift(h('a', { class: 'button', href: `#/demands/${d.id}/matches` }, '查看匹配专家'));
    if (!isStaff(user) && ['published', 'matching', 'matched', 'cooperating'].includes(d.status))
      actions.unshift(h('a', { class: 'button', href: `#/demands/${d.id}/matches` }, '推荐的专家'));
    const facts = h('dl', { class: 'facts' },
      [['类型', d.kind_label || label(DEMAND_KIND, d.kind)], ['状态', statusBadge(d)],
        ['企业编号', d.enterprise_name || d.enterprise_id], ['地区', label(regions, d.region_code)],
        ['行业', d.industry_code], ['关键词', (d.keywords || []).join('、')],
        ['合作方式', labels(SERVICE_MODES, d.service_modes)], ['预算（万元）', budget(d)],
        ['期望完成', d.deadline], ['状态说明', d.status_reason], ['更新时间', fmtDate(d.updated_at)]]
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const parts = [h('p', {}, h('a', { href: back }, '← 返回列表')),
      h('div', { class: 'page-head' }, h('h1', {}, d.title), h('div', { class: 'actions' }, actions)),
      facts, d.description ? section('需求描述', h('p', { class: 'prose' }, d.description)) : null];
    if (EDITABLE.includes(d.status)) {
      const f = demandForm(regions, user, d, async (patch) => {
        delete patch.enterprise_id;
        if (!Object.keys(patch).length) { notify('没有修改'); return; }
        d = await api.patch('/demands/' + d.id, patch, etag);
        etag = `"${d.version}"`;
        notify('已保存');
        render();
      }, '保存修改');
      parts.push(section('修改需求', f.form));
    }
    const history = section('处理记录', h('p', { class: 'help' }, '加载中…'));
    parts.push(history);
    clear(el, parts);
    api.get(`/demands/${d.id}/history`, { limit: 50 }).then((p) => {
      clear(history, h('h2', {}, '处理记录'), p.items.length ? h('ol', { class: 'timeline' }, p.items.map((t) =>
        h('li', {}, h('time', {}, fmtDate(t.at || t.created_at)), ' ',
          t.action_label || t.action || '', ' → ', t.to_status_label || label(DEMAND_STATUS, t.to_status), ' · ',
          t.user_name || '', t.reason ? `（${t.reason}）` : ''))) : h('p', {}, '暂无'));
    }).catch(() => history.remove());
  }
  render();
}
