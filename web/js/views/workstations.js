// 院士工作站: the list and record page for staff (status moves, academicians, reports with
// accept / return), and the host enterprise's annual report (fill, submit).
import { api } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate } from '../dom.js';
import { loadRegions, label } from '../labels.js';

const STAFF = ['admin', 'city_staff', 'county_staff'];
const isStaff = (u) => STAFF.includes(u.role);
const LEVEL = [['city', '市级'], ['provincial', '省级']];
const STATUS = [['planning', '筹建'], ['running', '运行'], ['suspended', '暂停'], ['revoked', '撤销'], ['concluded', '验收结题']];
const REPORT_STATUS = [['draft', '草稿'], ['submitted', '已提交'], ['returned', '已退回'], ['accepted', '已通过']];
// Allowed moves (the API has the last word); those marked need a reason.
const MOVES = {
  planning: [['running', '开始运行'], ['revoked', '撤销', true]],
  running: [['suspended', '暂停', true], ['concluded', '验收结题'], ['revoked', '撤销', true]],
  suspended: [['running', '恢复运行'], ['revoked', '撤销', true]],
};

// The annual report's indicators, as PRODUCT.md names them.
const INDICATORS = [
  { name: 'academician_days', label: '院士在站工作天数', type: 'number', min: 0, step: '0.5', help: '不填则取服务活动记录的天数' },
  { name: 'joint_projects_new', label: '新增合作项目（个）', type: 'number', min: 0, step: '1' },
  { name: 'joint_projects_ongoing', label: '在研合作项目（个）', type: 'number', min: 0, step: '1' },
  { name: 'rd_input', label: '研发投入（万元）', type: 'number', min: 0, step: '0.01' },
  { name: 'patents_applied', label: '申请专利（件）', type: 'number', min: 0, step: '1' },
  { name: 'patents_granted', label: '授权专利（件）', type: 'number', min: 0, step: '1' },
  { name: 'invention_patents_granted', label: '其中授权发明专利（件）', type: 'number', min: 0, step: '1' },
  { name: 'new_products', label: '新产品（个）', type: 'number', min: 0, step: '1' },
  { name: 'standards', label: '制定标准（项）', type: 'number', min: 0, step: '1' },
  { name: 'papers', label: '发表论文（篇）', type: 'number', min: 0, step: '1' },
  { name: 'new_product_revenue', label: '新产品销售收入（万元）', type: 'number', min: 0, step: '0.01' },
  { name: 'talents_trained', label: '培养人才（人）', type: 'number', min: 0, step: '1' },
  { name: 'awards', label: '获奖（项）', type: 'number', min: 0, step: '1' },
  { name: 'summary', label: '年度工作总结', type: 'textarea', rows: 5, wide: true, max: 8000 },
];

function statusBadge(w) {
  const kind = { running: 'ok', suspended: 'warn', revoked: 'muted', concluded: 'muted' }[w.status] || '';
  return badge(w.status_label || label(STATUS, w.status), kind);
}

export async function list(_params, el, user) {
  const regions = await loadRegions(api);
  const staff = isStaff(user);
  const filters = buildForm([
    { name: 'q', label: '搜索', placeholder: '工作站名称、依托企业' },
    { name: 'status', label: '状态', type: 'select', options: STATUS },
    { name: 'level', label: '级别', type: 'select', options: LEVEL },
    ...(staff ? [{ name: 'region_code', label: '地区', type: 'select', options: regions }] : []),
  ], {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');
  const table = pagedTable({
    columns: [
      { label: '工作站', value: (w) => [w.name, w.demonstration ? badge(`示范 ${w.demonstration_year || ''}`, 'ok') : null] },
      { label: '依托企业', value: (w) => w.host_enterprise_name || '' },
      { label: '级别', value: (w) => w.level_label || label(LEVEL, w.level) },
      { label: '状态', value: statusBadge },
      { label: '地区', value: (w) => label(regions, w.region_code) },
      { label: '院士 / 团队', value: (w) => `${w.academician_count} / ${w.team_count}` },
    ],
    async load(cursor) {
      const f = filters.read();
      return api.get('/workstations', { ...f, sort: f.q ? 'relevance' : undefined, limit: 20, cursor });
    },
    onRow: (w) => { location.hash = '#/workstations/' + w.id; },
  });
  clear(el, h('h1', {}, staff ? '院士工作站' : '我的工作站'), filters.form, table.el);
  await table.reload();
}

async function reasonFor(text, required) {
  const r = prompt(`${text}：请填写原因${required ? '（必填）' : '（可不填）'}`);
  if (r === null) return null;
  if (required && !r.trim()) { notify('请填写原因', 'error'); return null; }
  return r.trim();
}

export async function detail(params, el, user) {
  const regions = await loadRegions(api);
  const staff = isStaff(user);
  let { data: w, etag } = await api.getWithEtag('/workstations/' + params.id);

  async function move(to, text, needsReason) {
    const reason = needsReason ? await reasonFor(text, true) : undefined;
    if (needsReason && reason === null) return;
    try {
      w = await api.action(`/workstations/${w.id}/status`, reason ? { status: to, reason } : { status: to }, etag);
      etag = `"${w.version}"`;
      notify(`已${text}`);
      render();
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }

  async function render() {
    const moves = staff ? (MOVES[w.status] || []).map(([to, text, r]) =>
      h('button', { type: 'button', class: r ? 'danger' : 'primary', onclick: () => move(to, text, r) }, text)) : [];
    const facts = h('dl', { class: 'facts' }, [
      ['依托企业', w.host_enterprise_name], ['级别', w.level_label || label(LEVEL, w.level)], ['状态', statusBadge(w)],
      ['地区', label(regions, w.region_code)], ['行业', w.industry_code], ['建站日期', w.established_on],
      ['协议期满', w.term_end], ['示范', w.demonstration ? `是（${w.demonstration_year}）` : '否'],
      ['进站院士', w.academician_count], ['专家团队', w.team_count], ['简介', w.description], ['更新时间', fmtDate(w.updated_at)],
    ].filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const reports = h('div', {}, h('p', { class: 'loading' }, '加载中…'));
    const year = new Date().getFullYear() - 1;
    clear(el, h('p', {}, h('a', { href: '#/workstations' }, '← 工作站列表')),
      h('div', { class: 'page-head' }, h('h1', {}, w.name), h('div', { class: 'actions' }, moves)),
      facts,
      section('年度报告', reports, h('div', { class: 'actions' },
        h('a', { class: 'button primary', href: `#/workstations/${w.id}/reports/${year}` }, `填报 ${year} 年度报告`))));
    try {
      const page = await api.get(`/workstations/${w.id}/reports`, { limit: 50 });
      clear(reports, page.items.length ? h('ul', { class: 'plain' }, page.items.map((r) => h('li', {},
        h('a', { href: `#/workstations/${w.id}/reports/${r.year}` }, `${r.year} 年度报告`), ' ',
        badge(r.status_label || label(REPORT_STATUS, r.status)), ' ', h('span', { class: 'muted' }, fmtDate(r.updated_at)))))
        : h('p', {}, '还没有年度报告'));
    } catch (e) { clear(reports, h('p', { class: 'form-error' }, e.detail || e.message)); }
  }
  await render();
}

export async function report(params, el, user) {
  const staff = isStaff(user);
  const w = await api.get('/workstations/' + params.id);
  let rep = null;
  let etag = null;
  try {
    ({ data: rep, etag } = await api.getWithEtag(`/workstations/${params.id}/reports/${params.year}`));
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  const path = `/workstations/${params.id}/reports/${params.year}`;

  async function act(action, text, reasonRequired) {
    let body;
    if (reasonRequired) {
      const reason = await reasonFor(text, true);
      if (reason === null) return;
      body = { reason };
    }
    try {
      rep = await api.action(`${path}/${action}`, body, etag);
      etag = `"${rep.version}"`;
      notify(`已${text}`);
      render();
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }

  function render() {
    const editable = !rep || ['draft', 'returned'].includes(rep.status);
    const actions = [];
    if (rep && ['draft', 'returned'].includes(rep.status))
      actions.push(h('button', { type: 'button', class: 'primary', onclick: () => act('submit', '提交') }, '提交报告'));
    if (rep && staff && rep.status === 'submitted') {
      actions.push(h('button', { type: 'button', class: 'primary', onclick: () => act('accept', '审核通过') }, '审核通过'));
      actions.push(h('button', { type: 'button', class: 'danger', onclick: () => act('return', '退回', true) }, '退回修改'));
    }
    const parts = [h('p', {}, h('a', { href: '#/workstations/' + w.id }, '← ' + w.name)),
      h('div', { class: 'page-head' }, h('h1', {}, `${params.year} 年度报告`, rep ? badge(rep.status_label || label(REPORT_STATUS, rep.status)) : badge('未填报', 'muted')),
        h('div', { class: 'actions' }, actions))];
    if (rep && rep.academician_days_excess > 0)
      parts.push(h('p', { class: 'form-error' }, `填报的院士在站天数比服务活动记录（${rep.recorded_academician_days} 天）多 ${rep.academician_days_excess} 天，请核实并准备证明材料。`));
    if (editable) {
      const f = buildForm(INDICATORS, rep || {}, {
        submitLabel: rep ? '保存修改' : '保存草稿',
        async onSubmit(read) {
          const body = read();
          const res = await api.put(path, body, etag);
          rep = res.data;
          etag = res.etag || `"${rep.version}"`;
          notify('已保存');
          render();
        },
      });
      parts.push(section('年度指标', h('p', { class: 'help' }, '金额单位为万元；保存后可以继续修改，确认无误后“提交报告”。'), f.form));
    } else {
      parts.push(h('dl', { class: 'facts' }, INDICATORS.map((i) => [h('dt', {}, i.label), h('dd', {}, String(rep[i.name] ?? ''))])));
    }
    clear(el, parts);
  }
  render();
}
