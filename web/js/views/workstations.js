// 院士工作站: the list and record page for staff (status moves, academicians, reports with
// accept / return), and the host enterprise's annual report (fill, attach evidence, submit).
import { api } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate, labelled } from '../dom.js';
import { loadRegions, label, mayWriteRegion } from '../labels.js';

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
  // County staff start from their own region's stations (the ones they write).
  const county = user.role === 'county_staff';
  const filters = buildForm([
    { name: 'q', label: '搜索', placeholder: '工作站名称、依托企业' },
    { name: 'status', label: '状态', type: 'select', options: STATUS },
    { name: 'level', label: '级别', type: 'select', options: LEVEL },
    ...(staff ? [{ name: 'region_code', label: '地区', type: 'select', options: regions }] : []),
  ], county ? { region_code: user.region_code } : {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
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
    const moves = staff && mayWriteRegion(user, w.region_code) ? (MOVES[w.status] || []).map(([to, text, r]) =>
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

// 证明材料: what the API takes (it has the last word, by type and by the bytes themselves).
const EVIDENCE_ACCEPT = '.pdf,.jpg,.jpeg,.png,.xlsx,.xls,.docx,.doc,.pptx,.ppt,.ofd,application/pdf,image/jpeg,image/png';
const EVIDENCE_TYPES = 'PDF、JPEG、PNG、Word、Excel、PowerPoint 或 OFD';

export function fmtSize(n) {
  if (n < 1024) return `${n} 字节`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// The API's refusal of an evidence upload or removal, in words for the person at the control.
export function evidenceError(e) {
  if (e.status === 413) return '文件过大：单个证明材料不能超过服务器允许的大小（默认 10 MB），请压缩或拆分后再上传。';
  if (e.status === 415) return `文件类型不支持：请上传 ${EVIDENCE_TYPES} 文件（文件内容须与扩展名一致）。`;
  if (e.code === 'assessment_published') return '该年度考核已发布，证明材料不能再上传或删除。';
  if (e.code === 'invalid_transition') return '报告已提交或已审核，不能再修改证明材料；如需修改，请联系科协退回报告。';
  if (e.status === 0 && e.code === 'network') return '上传中断：文件可能过大（默认上限 10 MB），或网络不通，请检查后重试。';
  return e.detail || e.message;
}

// The evidence files of a report: list, download, and (where the API allows) upload and
// remove. writable: the controls are offered (the API still decides, and its 409/413/415 are
// shown next to the control).
export function evidenceSection(base, { writable, leaves = [] }) {
  const list = h('div', {}, h('p', { class: 'loading' }, '加载中…'));
  const listErr = h('p', { class: 'form-error', role: 'alert', hidden: true });
  let fileInput = null;
  let fileErr = null;

  async function load() {
    try {
      const page = await api.get(base + '/evidence');
      show(page.items || []);
    } catch (e) { clear(list, h('p', { class: 'form-error' }, e.detail || e.message)); }
  }
  function leafName(key) {
    const l = leaves.find((x) => x.key === key);
    return l ? l.name : key || '';
  }
  function show(items) {
    if (!items.length) { clear(list, h('p', { class: 'muted' }, '还没有证明材料')); return; }
    clear(list, h('div', { class: 'table-wrap' }, h('table', { class: 'list evidence' },
      h('caption', { class: 'visually-hidden' }, '证明材料'),
      h('thead', {}, h('tr', {}, ['文件名', '大小', '支撑指标', '上传人', '上传时间', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((f) => h('tr', {},
        h('td', { 'data-label': '文件名' }, f.file_name),
        h('td', { 'data-label': '大小' }, fmtSize(f.size)),
        h('td', { 'data-label': '支撑指标' }, leafName(f.indicator)),
        h('td', { 'data-label': '上传人' }, f.uploaded_by_name || ''),
        h('td', { 'data-label': '上传时间' }, fmtDate(f.uploaded_at)),
        h('td', { 'data-label': '操作' },
          h('button', { type: 'button', 'aria-label': `下载 ${f.file_name}`, onclick: () => download(f) }, '下载'),
          writable ? h('button', { type: 'button', class: 'danger', 'aria-label': `删除 ${f.file_name}`, onclick: () => remove(f) }, '删除') : null)))))));
  }
  async function download(f) {
    listErr.hidden = true;
    try {
      const name = await api.download(`${base}/evidence/${f.id}`, {}, f.file_name);
      notify('已下载 ' + name);
    } catch (e) { clear(listErr, evidenceError(e)); listErr.hidden = false; }
  }
  async function remove(f) {
    if (!confirm(`删除证明材料“${f.file_name}”？`)) return;
    listErr.hidden = true;
    try {
      await api.del(`${base}/evidence/${f.id}`);
      notify('已删除 ' + f.file_name);
      await load();
    } catch (e) { clear(listErr, evidenceError(e)); listErr.hidden = false; listErr.focus?.(); }
  }

  const parts = [list, listErr];
  if (writable) {
    fileInput = h('input', { type: 'file', id: 'evidence-file', name: 'file', accept: EVIDENCE_ACCEPT, 'aria-describedby': 'evidence-file-err evidence-file-help' });
    fileErr = h('span', { class: 'field-error', id: 'evidence-file-err', 'aria-live': 'polite' });
    const leafSelect = leaves.length ? h('select', { id: 'evidence-indicator', name: 'indicator' },
      h('option', { value: '' }, '（不指定）'), leaves.map((l) => h('option', { value: l.key }, l.name + (l.evidence_required ? '（需证明材料）' : '')))) : null;
    const button = h('button', { type: 'submit', class: 'primary' }, '上传');
    const form = h('form', { class: 'form evidence-upload', novalidate: true },
      h('div', { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'evidence-file' }, '选择证明材料文件'), fileInput,
          h('small', { class: 'help', id: 'evidence-file-help' }, `${EVIDENCE_TYPES}，单个文件默认不超过 10 MB。`), fileErr),
        leafSelect ? h('div', { class: 'field' }, h('label', { for: 'evidence-indicator' }, '支撑的考核指标'), leafSelect) : null),
      h('div', { class: 'actions' }, button));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(fileErr);
      fileInput.removeAttribute('aria-invalid');
      const file = fileInput.files[0];
      if (!file) { clear(fileErr, '请先选择文件'); fileInput.setAttribute('aria-invalid', 'true'); fileInput.focus(); return; }
      button.disabled = true;
      try {
        await api.upload(base + '/evidence', file, { filename: file.name, indicator: leafSelect?.value || undefined });
        notify('已上传 ' + file.name);
        fileInput.value = '';
        await load();
      } catch (e) {
        clear(fileErr, evidenceError(e));
        fileInput.setAttribute('aria-invalid', 'true');
        fileInput.focus();
      } finally { button.disabled = false; }
    });
    parts.push(form);
  }
  load();
  return { el: h('div', { class: 'evidence-box' }, parts), reload: load };
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
    // Evidence hangs on a saved report. The host and the county add files while it is a draft
    // or returned, the city until the year is published: the API decides, the page offers.
    if (rep) {
      const writable = editable || ['admin', 'city_staff'].includes(user.role);
      const ev = evidenceSection(path, { writable });
      parts.push(section('证明材料', h('p', { class: 'help' },
        writable ? '上传支撑年度指标的证明材料（如专利证书、合同、发票、照片）；提交报告后企业不能再修改。' : '报告所附的证明材料，可下载查看。'), ev.el));
    } else if (editable) {
      parts.push(section('证明材料', h('p', { class: 'help' }, '先保存草稿，再上传证明材料。')));
    }
    clear(el, parts);
  }
  render();
}
