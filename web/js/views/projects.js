// 科技项目库: list with search and filters, create, record page with edit, the workflow
// (申报 → 立项 → 在研 → 结题 → 验收, and 退回), members, outcomes and history.
import { api, idempotencyKey } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate } from '../dom.js';
import { loadRegions, label } from '../labels.js';

const KIND = [['workstation', '院士工作站合作'], ['industry_university', '产学研合作'], ['soft_science', '软科学课题'],
  ['transfer', '成果转化'], ['other', '其他']];
const STATUS = [['applied', '申报'], ['approved', '立项'], ['in_progress', '在研'], ['concluded', '结题'], ['accepted', '验收']];
const STAFF = ['admin', 'city_staff', 'county_staff'];
// Actions by status; the API decides in the end (409 otherwise).
const ACTIONS = {
  applied: [['approve', '立项']],
  approved: [['start', '开始研究'], ['return', '退回', true]],
  in_progress: [['conclude', '结题']],
  concluded: [['accept', '验收']],
};

function specs(regions) {
  return [
    { name: 'title', label: '项目名称', required: true, max: 200, wide: true },
    { name: 'kind', label: '项目类别', type: 'select', options: KIND, required: true },
    { name: 'region_code', label: '所属地区', type: 'select', options: regions },
    { name: 'industry_code', label: '行业代码', max: 16, placeholder: '如 C38' },
    { name: 'start_date', label: '开始日期', type: 'date' },
    { name: 'end_date', label: '结束日期', type: 'date' },
    { name: 'funding', label: '经费（万元）', type: 'number', min: 0, step: '0.01' },
    { name: 'lead_enterprise_id', label: '牵头企业编号', type: 'number', min: 1 },
    { name: 'keywords', label: '关键词（用逗号分隔）', type: 'list', wide: true },
    { name: 'summary', label: '项目简介', type: 'textarea', wide: true, max: 8000 },
  ];
}

const OUTCOMES = [
  { name: 'outcome_patents', label: '专利（件）', type: 'number', min: 0, step: '1' },
  { name: 'outcome_papers', label: '论文（篇）', type: 'number', min: 0, step: '1' },
  { name: 'outcome_products', label: '新产品（个）', type: 'number', min: 0, step: '1' },
  { name: 'outcome_standards', label: '标准（项）', type: 'number', min: 0, step: '1' },
  { name: 'outcome_revenue', label: '新增收入（万元）', type: 'number', min: 0, step: '0.01' },
  { name: 'outcome_note', label: '成果说明', type: 'textarea', wide: true },
];

function statusBadge(p) {
  const kind = { in_progress: 'ok', accepted: 'ok', concluded: 'ok' }[p.status] || '';
  return badge(p.status_label || label(STATUS, p.status), kind);
}

export async function list(_params, el, user) {
  const regions = await loadRegions(api);
  const staff = STAFF.includes(user.role);
  const filters = buildForm([
    { name: 'q', label: '搜索', placeholder: '项目名称、简介、关键词' },
    { name: 'status', label: '状态', type: 'select', options: STATUS },
    { name: 'kind', label: '类别', type: 'select', options: KIND },
    ...(staff ? [{ name: 'region_code', label: '地区', type: 'select', options: regions }] : []),
  ], {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');
  const table = pagedTable({
    columns: [
      { label: '项目名称', value: (p) => [p.title, p.archived ? badge('已归档', 'muted') : null] },
      { label: '类别', value: (p) => p.kind_label || label(KIND, p.kind) },
      { label: '状态', value: statusBadge },
      { label: '经费（万元）', value: (p) => (p.funding == null ? '' : String(p.funding)) },
      { label: '起止', value: (p) => [p.start_date, p.end_date].filter(Boolean).join(' 至 ') },
    ],
    async load(cursor) {
      const f = filters.read();
      return api.get('/projects', { ...f, sort: f.q ? 'relevance' : undefined, limit: 20, cursor });
    },
    onRow: (p) => { location.hash = '#/projects/' + p.id; },
  });
  clear(el, h('div', { class: 'page-head' }, h('h1', {}, '科技项目库'),
    staff ? h('a', { class: 'button primary', href: '#/projects/new' }, '登记项目') : null),
  filters.form, table.el);
  await table.reload();
}

export async function create(_params, el) {
  const regions = await loadRegions(api);
  const key = idempotencyKey();
  const f = buildForm(specs(regions), { kind: 'industry_university' }, {
    submitLabel: '登记',
    async onSubmit(read) {
      const p = await api.post('/projects', read(), { 'Idempotency-Key': key });
      notify('已登记项目：' + p.title);
      location.hash = '#/projects/' + p.id;
    },
  });
  clear(el, h('p', {}, h('a', { href: '#/projects' }, '← 科技项目库')), h('h1', {}, '登记项目'), f.form);
}

export async function detail(params, el, user) {
  const regions = await loadRegions(api);
  const staff = STAFF.includes(user.role);
  let { data: p, etag } = await api.getWithEtag('/projects/' + params.id);

  async function act(action, text, needsReason) {
    let body;
    if (needsReason) {
      const r = prompt(`${text}：请填写原因`);
      if (r === null) return;
      body = r.trim() ? { reason: r.trim() } : undefined;
    }
    try {
      p = await api.action(`/projects/${p.id}/${action}`, body, etag);
      etag = `"${p.version}"`;
      notify(`已${text}`);
      render();
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }

  function render() {
    const actions = staff && !p.archived ? (ACTIONS[p.status] || []).map(([a, text, r]) =>
      h('button', { type: 'button', class: r ? 'danger' : 'primary', onclick: () => act(a, text, r) }, text)) : [];
    const facts = h('dl', { class: 'facts' }, [
      ['类别', p.kind_label || label(KIND, p.kind)], ['状态', statusBadge(p)], ['地区', label(regions, p.region_code)],
      ['行业', p.industry_code], ['起止', [p.start_date, p.end_date].filter(Boolean).join(' 至 ')],
      ['经费（万元）', p.funding], ['关键词', (p.keywords || []).join('、')], ['更新时间', fmtDate(p.updated_at)],
    ].filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const members = section('项目专家', h('p', { class: 'loading' }, '加载中…'));
    const history = section('处理记录', h('p', { class: 'loading' }, '加载中…'));
    const parts = [h('p', {}, h('a', { href: '#/projects' }, '← 科技项目库')),
      h('div', { class: 'page-head' }, h('h1', {}, p.title), h('div', { class: 'actions' }, actions)),
      facts, p.summary ? section('项目简介', h('p', { class: 'prose' }, p.summary)) : null, members];
    if (staff && !p.archived) {
      const edit = buildForm([...specs(regions), ...OUTCOMES], p, {
        submitLabel: '保存修改',
        async onSubmit(read) {
          const patch = read(true);
          if (!Object.keys(patch).length) { notify('没有修改'); return; }
          p = await api.patch('/projects/' + p.id, patch, etag);
          etag = `"${p.version}"`;
          notify('已保存');
          render();
        },
      });
      parts.push(section('修改项目与成果', edit.form));
    }
    parts.push(history);
    clear(el, parts);
    api.get(`/projects/${p.id}/members`, { limit: 100 }).then((page) => {
      clear(members, h('h2', {}, '项目专家'), page.items.length ? h('ul', { class: 'plain' }, page.items.map((m) =>
        h('li', {}, h('strong', {}, m.name), ' ', badge(m.role_label || m.role), ' ', h('span', { class: 'muted' }, [m.expert_kind_label, m.affiliation].filter(Boolean).join(' · ')))))
        : h('p', {}, '暂无'));
    }).catch(() => members.remove());
    api.get(`/projects/${p.id}/history`, { limit: 50 }).then((page) => {
      clear(history, h('h2', {}, '处理记录'), h('ol', { class: 'timeline' }, page.items.map((t) =>
        h('li', {}, h('time', {}, fmtDate(t.at)), ' ', t.action_label,
          t.from_status_label ? `：${t.from_status_label} → ${t.to_status_label}` : '', ' · ',
          t.user_name || '', t.reason ? `（${t.reason}）` : ''))));
    }).catch(() => history.remove());
  }
  render();
}
