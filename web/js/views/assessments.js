// 年度考核: a year's rubric (the indicator tree, edited and checked by the API), checklist scores
// per station, the run, the ranking with grades and exemplars, adjustments with a reason,
// publishing and the XLSX/CSV export. County staff see it read-only (the API decides).
import { api } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate, dialogForm, labelled } from '../dom.js';
import { REPORT_INDICATORS, RUBRIC_RULES, GRADES, label } from '../labels.js';

const WRITERS = ['admin', 'city_staff'];
const LEVELS = ['一级', '二级', '三级'];
const SOURCES = { saved: '本年度已保存的细则', previous: '沿用往年的细则（尚未为本年度保存）', default: '系统默认细则（尚未为本年度保存）' };
const PROBLEMS = { academician_days_excess: '填报的院士在站天数多于服务活动记录' };
const GRADE_KIND = { excellent: 'ok', good: '', pass: 'muted', fail: 'warn' };

const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toFixed(2));
const num = (v) => (String(v).trim() === '' ? null : Number(v));

export function redirect() {
  location.replace('#/assessments/' + (new Date().getFullYear() - 1));
}

// The steps of a `steps` rule as the user types them: "1:4，2:7，3:10" (min:points).
function stepsText(steps) {
  return (steps || []).map((s) => `${s.min}:${s.points}`).join('，');
}
function parseSteps(text) {
  const parts = text.split(/[,，;；、\s]+/).filter(Boolean);
  const out = [];
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)[:：](\d+(?:\.\d+)?)$/.exec(p);
    if (!m) return null;
    out.push({ min: Number(m[1]), points: Number(m[2]) });
  }
  return out;
}

// The rubric editor: one table row per indicator, inputs bound to a copy of the rubric; the
// API's field paths (items[1].children[0].points) find their input through `slots`.
function rubricEditor(view, canEdit, onSaved) {
  const rubric = structuredClone(view.rubric);
  const slots = new Map(); // path -> {input, err}
  const totals = []; // [group node, output element]
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const topTotal = h('output', { class: 'total' });
  const topErr = h('span', { class: 'field-error', 'aria-live': 'polite', id: 'rubric-err-total' });
  slots.set('items', { input: null, err: topErr });
  const disabled = !canEdit;

  const sum = (items) => items.reduce((s, it) => s + (Number(it.points) || 0), 0);
  function updateTotals() {
    topTotal.value = `一级指标合计 ${+sum(rubric.items).toFixed(2)} 分（应为 100）`;
    for (const [node, out] of totals) out.value = `下级合计 ${+sum(node.children).toFixed(2)}`;
  }

  function numInput(value, onChange, attrs = {}) {
    const input = h('input', { type: 'number', inputmode: 'decimal', step: 'any', min: 0, disabled, ...attrs });
    input.value = value ?? '';
    input.addEventListener('input', () => { onChange(num(input.value)); updateTotals(); });
    return input;
  }
  let errs = 0;
  const errSpan = () => h('span', { class: 'field-error', 'aria-live': 'polite', id: `rubric-err-${view.year}-${++errs}` });

  const rows = [];
  const tbody = h('tbody');
  const addTop = h('button', { type: 'button', onclick: () => addChild(null) }, '添加一级指标');

  // Structure edits: a new indicator (a checklist item worth 0 until its points are typed), and
  // the removal of one (with its children). The rows are drawn again, so paths stay true.
  function newKey() {
    const used = new Set();
    (function walk(items) { for (const it of items) { used.add(it.key); if (it.children) walk(it.children); } })(rubric.items);
    let n = 1;
    while (used.has('item_' + n)) n++;
    return 'item_' + n;
  }
  function addChild(parent) {
    const it = { key: newKey(), name: '新指标', points: 0, rule: { kind: 'checklist' } };
    if (parent) {
      if (!Array.isArray(parent.children)) { parent.children = []; delete parent.rule; delete parent.evidence_required; }
      parent.children.push(it);
    } else rubric.items.push(it);
    rebuild();
    const slot = [...slots.values()].find((x) => x.input?.dataset.key === it.key);
    slot?.input.focus();
    slot?.input.select();
    notify(`已添加指标“${it.name}”，请填写名称和分值`);
  }
  function removeItem(list, i) {
    const it = list[i];
    if (Array.isArray(it.children) && it.children.length && !confirm(`删除“${it.name}”及其全部下级指标？`)) return;
    list.splice(i, 1);
    rebuild();
    addTop.focus();
    notify(`已删除指标“${it.name}”，保存细则后生效`);
  }

  function addRows(items, base, level) {
    items.forEach((it, i) => {
      const path = `${base}[${i}]`;
      const group = Array.isArray(it.children);
      const ops = canEdit ? h('td', { 'data-label': '操作', class: 'ops' },
        level < 2 ? h('button', { type: 'button', 'aria-label': `${it.name}：添加下级指标`, onclick: () => addChild(it) }, '添加下级') : null,
        h('button', { type: 'button', class: 'danger', 'aria-label': `${it.name}：删除指标`, onclick: () => removeItem(items, i) }, '删除')) : null;
      const name = h('input', { type: 'text', maxlength: 60, disabled, dataset: { key: it.key } });
      name.value = it.name;
      name.addEventListener('input', () => { it.name = name.value.trim(); });
      const nameErr = errSpan();
      slots.set(path, { input: name, err: nameErr });
      slots.set(path + '.name', { input: name, err: nameErr });
      slots.set(path + '.key', { input: name, err: nameErr });
      const points = numInput(it.points, (v) => { it.points = v; });
      const pointsErr = errSpan();
      slots.set(path + '.points', { input: points, err: pointsErr });
      const cells = [
        h('td', { 'data-label': '级别' }, badge(LEVELS[level] || ''), h('small', { class: 'muted key' }, it.key)),
        h('td', { 'data-label': '指标', class: 'name level-' + level }, labelled(`${it.name}：名称`, name), nameErr),
      ];
      if (group) {
        const out = h('output', { class: 'help subtotal' });
        totals.push([it, out]);
        slots.set(path + '.children', { input: points, err: pointsErr });
        cells.push(h('td', { 'data-label': '分值' }, labelled(`${it.name}：分值`, points), out, pointsErr),
          h('td', { colspan: 4, class: 'muted', 'data-label': '评分' }, '由下级指标合计'), ops);
        rows.push(h('tr', { class: 'group' }, cells));
        addRows(it.children, path + '.children', level + 1);
        return;
      }
      it.rule ||= { kind: 'checklist' };
      const rule = it.rule;
      const kind = h('select', { disabled }, RUBRIC_RULES.map(([v, t]) => h('option', { value: v, selected: v === rule.kind }, t)));
      const kindErr = errSpan();
      const indicator = h('select', { disabled },
        h('option', { value: '' }, '（选择指标）'),
        REPORT_INDICATORS.map(([v, t]) => h('option', { value: v, selected: v === rule.indicator }, t)));
      const indErr = errSpan();
      const target = numInput(rule.target, (v) => { rule.target = v; });
      const steps = h('input', { type: 'text', disabled, placeholder: '如 1:4，2:7，3:10' });
      steps.value = stepsText(rule.steps);
      const paramErr = errSpan();
      const targetBox = h('div', {}, labelled(`${it.name}：目标值`, target));
      const stepsBox = h('div', {}, labelled(`${it.name}：分档（达到值:得分）`, steps));
      const evidence = h('input', { type: 'checkbox', checked: Boolean(it.evidence_required), disabled });
      evidence.addEventListener('change', () => { it.evidence_required = evidence.checked; });
      const show = () => {
        indicator.disabled = disabled || rule.kind === 'checklist';
        targetBox.hidden = rule.kind !== 'linear';
        stepsBox.hidden = rule.kind !== 'steps';
      };
      kind.addEventListener('change', () => { rule.kind = kind.value; show(); });
      indicator.addEventListener('change', () => { rule.indicator = indicator.value || undefined; });
      steps.addEventListener('input', () => { rule.stepsText = steps.value; });
      show();
      slots.set(path + '.rule', { input: kind, err: kindErr });
      slots.set(path + '.rule.kind', { input: kind, err: kindErr });
      slots.set(path + '.rule.indicator', { input: indicator, err: indErr });
      slots.set(path + '.rule.target', { input: target, err: paramErr });
      slots.set(path + '.rule.steps', { input: steps, err: paramErr });
      slots.set(path + '.evidence_required', { input: evidence, err: nameErr });
      cells.push(
        h('td', { 'data-label': '分值' }, labelled(`${it.name}：分值`, points), pointsErr),
        h('td', { 'data-label': '评分方式' }, labelled(`${it.name}：评分方式`, kind), kindErr),
        h('td', { 'data-label': '报告指标' }, labelled(`${it.name}：报告指标`, indicator), indErr),
        h('td', { 'data-label': '目标值 / 分档' }, targetBox, stepsBox, paramErr),
        h('td', { 'data-label': '需证明材料' }, labelled(`${it.name}：需要证明材料`, evidence)), ops);
      rows.push(h('tr', { class: 'leaf' }, cells));
    });
  }
  function rebuild() {
    for (const k of [...slots.keys()]) if (k.startsWith('items[')) slots.delete(k);
    totals.length = 0;
    rows.length = 0;
    addRows(rubric.items, 'items', 0);
    mark(rubric.items, 'items');
    clear(tbody, rows);
    updateTotals();
  }

  const grades = buildForm([
    { name: 'excellent', label: '优秀分数线', type: 'number', step: 'any', min: 0, readonly: disabled },
    { name: 'good', label: '良好分数线', type: 'number', step: 'any', min: 0, readonly: disabled },
    { name: 'pass', label: '合格分数线', type: 'number', step: 'any', min: 0, readonly: disabled },
    { name: 'exemplar_limit', label: '最多推荐示范典型（个）', type: 'number', step: '1', min: 0, readonly: disabled },
  ], { ...rubric.grades, exemplar_limit: rubric.exemplar_limit ?? 3 }, {});
  grades.form.querySelector('.actions').remove();
  const gradesErr = errSpan();
  for (const g of ['excellent', 'good', 'pass'])
    slots.set('grades.' + g, { input: grades.fields[g].input, err: grades.fields[g].err });
  slots.set('grades', { input: grades.fields.excellent.input, err: gradesErr });
  slots.set('exemplar_limit', { input: grades.fields.exemplar_limit.input, err: grades.fields.exemplar_limit.err });

  function showErrors(e) {
    for (const { input, err } of slots.values()) { clear(err); input?.removeAttribute('aria-invalid'); }
    formError.hidden = true;
    if (!e) return;
    const unplaced = [];
    let first = null;
    for (const fe of e.errors || []) {
      // The nearest enclosing path that has a control: items[0].rule.steps[2] -> .rule.steps.
      let p = fe.field || '';
      while (p && !slots.has(p)) {
        const up = p.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
        p = up === p ? '' : up;
      }
      const slot = slots.get(p);
      if (!slot) { unplaced.push(fe); continue; }
      slot.err.append(h('span', {}, fe.message || fe.code), ' ');
      if (slot.input) {
        slot.input.setAttribute('aria-invalid', 'true');
        slot.input.setAttribute('aria-describedby', slot.err.id);
      }
      first ||= slot.input || slot.err;
    }
    if (!(e.errors || []).length || unplaced.length) {
      clear(formError, e.detail || e.message, unplaced.map((fe) => ` ${fe.field}：${fe.message || fe.code}`));
      formError.hidden = false;
    }
    const target = first || formError;
    target.scrollIntoView({ block: 'center' });
    if (target.focus && target.tagName !== 'SPAN') target.focus({ preventScroll: true });
  }

  function body() {
    const strip = (items) => items.map((it) => {
      const out = { key: it.key, name: it.name, points: it.points };
      if (it.evidence_required) out.evidence_required = true;
      if (Array.isArray(it.children)) { out.children = strip(it.children); return out; }
      const r = it.rule;
      const rule = { kind: r.kind };
      if (r.kind !== 'checklist') rule.indicator = r.indicator;
      if (r.kind === 'linear') rule.target = r.target;
      if (r.kind === 'steps') {
        const steps = r.stepsText === undefined ? r.steps : parseSteps(r.stepsText);
        if (!steps) throw { errors: [{ field: `${it._path}.rule.steps`, message: '分档的写法为“达到值:得分”，用逗号分隔，如 1:4，2:7' }], detail: '细则有误' };
        rule.steps = steps;
      }
      out.rule = rule;
      return out;
    });
    const g = grades.read();
    const out = { items: strip(rubric.items), grades: { excellent: g.excellent, good: g.good, pass: g.pass } };
    if (g.exemplar_limit !== undefined) out.exemplar_limit = g.exemplar_limit;
    return out;
  }
  // Paths for the client's own check of the steps text.
  function mark(items, base) {
    items.forEach((it, i) => { it._path = `${base}[${i}]`; if (it.children) mark(it.children, it._path + '.children'); });
  }

  const save = h('button', { type: 'submit', class: 'primary' }, '保存细则');
  const form = h('form', { class: 'form rubric-form', novalidate: true },
    h('div', { class: 'table-wrap' }, h('table', { class: 'list rubric' },
      h('caption', { class: 'visually-hidden' }, '评分细则指标树'),
      h('thead', {}, h('tr', {}, ['级别', '指标', '分值', '评分方式', '报告指标', '目标值 / 分档', '需证明材料', ...(canEdit ? ['操作'] : [])]
        .map((t) => h('th', { scope: 'col' }, t)))),
      tbody)),
    canEdit ? h('div', { class: 'actions' }, addTop) : null,
    h('p', { class: 'totals' }, topTotal, ' ', topErr),
    h('h3', {}, '等级分数线与示范典型'), grades.form.firstChild, gradesErr,
    formError,
    canEdit ? h('div', { class: 'actions' }, save,
      h('span', { class: 'help' }, '下级指标分值之和应等于上级分值，一级指标合计 100；分数线应满足 0 < 合格 < 良好 < 优秀 ≤ 100。')) : null);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showErrors(null);
    save.disabled = true;
    try {
      const res = await api.put(`/assessments/${view.year}/rubric`, body(), `"${view.version}"`);
      notify('评分细则已保存');
      onSaved(res.data);
    } catch (e) {
      showErrors(e);
    } finally {
      save.disabled = false;
    }
  });
  rebuild();
  return form;
}

function checklistLeaves(items, out = []) {
  for (const it of items) {
    if (Array.isArray(it.children)) checklistLeaves(it.children, out);
    else if (it.rule?.kind === 'checklist') out.push(it);
  }
  return out;
}

// Checklist scores, one row per running station; prefilled from the last run's leaf scores
// (the API has no read of the checklist itself).
async function checklistTable(view, canEdit, leavesByStation) {
  const items = checklistLeaves(view.rubric.items);
  if (!items.length) return h('p', {}, '本年度细则没有检查项。');
  const stations = [];
  let cursor = null;
  do {
    const page = await api.get('/workstations', { status: 'running', limit: 200, cursor });
    stations.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && stations.length < 2000);
  if (!stations.length) return h('p', {}, '没有运行中的工作站。');
  const editable = canEdit && !view.published;
  const rows = stations.map((w) => {
    const inputs = {};
    const errs = {};
    const cells = items.map((it) => {
      const input = h('input', { type: 'number', inputmode: 'decimal', min: 0, max: it.points, step: 'any', disabled: !editable });
      const prev = leavesByStation.get(w.id)?.[it.key];
      if (prev !== undefined) input.value = prev;
      inputs[it.key] = input;
      errs[it.key] = h('span', { class: 'field-error', 'aria-live': 'polite' });
      return h('td', { 'data-label': `${it.name}（${it.points} 分）` }, labelled(`${w.name}：${it.name}得分`, input), errs[it.key]);
    });
    const rowErr = h('span', { class: 'field-error', 'aria-live': 'polite' });
    const btn = h('button', { type: 'button', disabled: !editable }, '保存');
    btn.addEventListener('click', async () => {
      for (const [k, input] of Object.entries(inputs)) { clear(errs[k]); input.removeAttribute('aria-invalid'); }
      clear(rowErr);
      const scores = {};
      for (const [k, input] of Object.entries(inputs)) if (input.value.trim() !== '') scores[k] = Number(input.value);
      btn.disabled = true;
      try {
        await api.put(`/assessments/${view.year}/checklist/${w.id}`, { scores });
        notify(`已保存 ${w.name} 的检查项评分`);
      } catch (e) {
        let placed = false;
        for (const fe of e.errors || []) {
          const k = (fe.field || '').replace(/^scores\./, '');
          if (!errs[k]) continue;
          clear(errs[k], fe.message || fe.code);
          inputs[k].setAttribute('aria-invalid', 'true');
          if (!placed) inputs[k].focus();
          placed = true;
        }
        if (!placed) clear(rowErr, e.detail || e.message);
      } finally {
        btn.disabled = !editable;
      }
    });
    return h('tr', {}, h('td', { 'data-label': '工作站' }, w.name), cells, h('td', { 'data-label': '' }, btn, rowErr));
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list checklist' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '工作站'),
      items.map((it) => h('th', { scope: 'col' }, `${it.name}（0–${it.points} 分）`)), h('th', { scope: 'col' }, '操作'))),
    h('tbody', {}, rows)));
}

let lastRun = null; // the summary of the last run made from this page: {year, summary}

function summaryFacts(s) {
  return h('dl', { class: 'facts' }, [
    ['参评工作站', `${s.stations} 个，已评分 ${s.scored} 个`],
    ['未提交年度报告', s.missing], ['年度报告未审核通过', s.not_accepted],
    ['等级分布', GRADES.map(([k, t]) => `${t} ${s.grades[k]}`).join('，')],
    ['推荐示范典型', s.exemplars.length ? `${s.exemplars.length} 个` : '无'],
  ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

export async function year(params, el, user) {
  const y = Number(params.year);
  if (!Number.isInteger(y) || y < 2000 || y > 2100) return redirect();
  const canEdit = WRITERS.includes(user.role);
  const view = await api.get(`/assessments/${y}/rubric`);
  const path = `/assessments/${y}`;

  // The year picker.
  const thisYear = new Date().getFullYear();
  const years = [];
  for (let i = thisYear; i >= Math.min(thisYear - 6, y); i--) years.push(i);
  const picker = h('select', { id: 'assess-year', name: 'year' }, years.map((v) => h('option', { value: v, selected: v === y }, `${v} 年度`)));
  picker.addEventListener('change', () => { location.hash = '#/assessments/' + picker.value; });

  async function run() {
    try {
      const s = await api.action(path + '/run');
      lastRun = { year: y, summary: s };
      notify(`考核已运行：评分 ${s.scored} 个工作站`);
      await year(params, el, user);
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }
  async function publish() {
    if (!confirm(`发布 ${y} 年度考核结果？发布后该年度的细则、检查项和得分都不能再修改。`)) return;
    try {
      const s = await api.action(path + '/publish');
      lastRun = { year: y, summary: s };
      notify(`${y} 年度考核结果已发布`);
      await year(params, el, user);
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }
  async function download(format) {
    try {
      const name = await api.download(path + '/export', { format }, `assessment-${y}.${format}`);
      notify('已下载 ' + name);
    } catch (e) { notify(e.status === 404 ? '该年度还没有考核结果，请先运行考核' : e.detail || e.message, 'error'); }
  }

  const actions = [];
  if (canEdit && !view.published) {
    actions.push(h('button', { type: 'button', class: 'primary', onclick: run }, view.run_at ? '重新运行考核' : '运行考核'));
    if (view.run_at) actions.push(h('button', { type: 'button', class: 'danger', onclick: publish }, '发布结果'));
  }
  actions.push(h('a', { class: 'button', href: `#/assessments/${y}/panels` }, '评审专家组'));
  actions.push(h('button', { type: 'button', onclick: () => download('xlsx') }, '下载 XLSX'),
    h('button', { type: 'button', onclick: () => download('csv') }, '下载 CSV'));

  const overview = section('概况',
    h('dl', { class: 'facts' }, [
      ['评分细则', SOURCES[view.source] || view.source],
      ['状态', view.published ? badge(`已发布 ${fmtDate(view.published_at)}`, 'ok') : badge('未发布', 'muted')],
      ['最近运行', view.run_at ? fmtDate(view.run_at) : '尚未运行'],
    ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    lastRun?.year === y ? [h('h3', {}, '本次运行结果'), summaryFacts(lastRun.summary)] : null,
    h('div', { class: 'actions' }, actions),
    view.published ? h('p', { class: 'help' }, '该年度已发布，只能查看和导出。') : null);

  // Results: ranks (ties share one), grades, exemplars, problems, adjustments.
  const leavesByStation = new Map();
  const gradeFilter = buildForm([{ name: 'grade', label: '等级', type: 'select', options: GRADES }], {},
    { submitLabel: '筛选', onSubmit: async () => table.reload() });
  gradeFilter.form.classList.add('filters');
  const mayAdjust = canEdit && !view.published;
  async function adjust(r) {
    const saved = await dialogForm(`调整得分：${r.workstation_name}`, [
      { name: 'score', label: '调整后得分（0–100）', type: 'number', min: 0, step: 'any', required: true },
      { name: 'reason', label: '调整理由', type: 'textarea', required: true, max: 1000, wide: true },
    ], { score: r.score, reason: r.adjust_reason || '' }, {
      submitLabel: '保存调整',
      intro: `计算得分 ${fmt(r.computed_score)}。调整必须写明理由，名次和等级随之重新计算。`,
      async onSubmit(v) {
        if (!v.reason) throw { errors: [{ field: 'reason', message: '请写明调整理由' }] };
        return api.patch(`${path}/results/${r.workstation_id}`, { score: v.score ?? null, reason: v.reason });
      },
    });
    if (saved) { notify('已调整得分'); table.reload(); }
  }
  async function undoAdjust(r) {
    if (!confirm(`撤销对“${r.workstation_name}”的调整，恢复计算得分 ${fmt(r.computed_score)}？`)) return;
    try {
      await api.patch(`${path}/results/${r.workstation_id}`, { score: null });
      notify('已恢复计算得分');
      table.reload();
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }
  const table = pagedTable({
    empty: view.run_at ? '没有符合条件的结果' : '尚未运行考核',
    columns: [
      { label: '名次', value: (r) => (r.rank === null ? '—' : [String(r.rank), r._tie ? h('small', { class: 'muted' }, ' 并列') : null]) },
      { label: '工作站', value: (r) => [r.workstation_name, r.exemplar ? badge('推荐示范典型', 'ok') : null] },
      { label: '地区', value: (r) => r.region_name || r.region_code },
      { label: '依托企业', value: (r) => r.host_enterprise_name || '' },
      { label: '得分', value: (r) => (r.score === null ? '—' : [h('strong', {}, fmt(r.score)),
        r.adjusted_score !== null ? h('small', { class: 'muted adjusted' }, ` 已调整（计算 ${fmt(r.computed_score)}）：${r.adjust_reason || ''}`) : null]) },
      { label: '等级', value: (r) => (r.grade ? badge(r.grade_label || label(GRADES, r.grade), GRADE_KIND[r.grade]) : '') },
      { label: '问题', value: (r) => [r.status !== 'scored' ? r.status_label : null,
        ...(r.problems || []).map((p) => PROBLEMS[p] || p)].filter(Boolean).join('；') },
      ...(mayAdjust ? [{ label: '操作', value: (r) => (r.status !== 'scored' ? '' : [
        h('button', { type: 'button', onclick: () => adjust(r) }, '调整得分'),
        r.adjusted_score !== null ? h('button', { type: 'button', onclick: () => undoAdjust(r) }, '撤销调整') : null]) }] : []),
    ],
    async load(cursor) {
      try {
        const page = await api.get(path + '/results', { ...gradeFilter.read(), limit: 50, cursor });
        const seen = new Map();
        for (const r of page.items) if (r.rank !== null) seen.set(r.rank, (seen.get(r.rank) || 0) + 1);
        for (const r of page.items) {
          r._tie = r.rank !== null && seen.get(r.rank) > 1;
          leavesByStation.set(r.workstation_id, r.leaves || {});
        }
        return page;
      } catch (e) {
        if (e.status === 404) return { items: [], next_cursor: null };
        throw e;
      }
    },
  });

  const rubricBox = h('div');
  const checklistBox = h('div', {}, h('p', { class: 'loading' }, '加载中…'));
  clear(rubricBox, rubricEditor(view, canEdit && !view.published, async () => {
    // The source, version and checklist items change with a save: draw the year again.
    await year(params, el, user);
    el.querySelector('.rubric-form')?.scrollIntoView({ block: 'start' });
  }));

  // On a phone the long editors start folded.
  const unfold = !matchMedia('(max-width: 760px)').matches;
  clear(el,
    h('div', { class: 'page-head' }, h('h1', {}, '年度考核'),
      h('div', { class: 'year-pick' }, h('label', { for: 'assess-year' }, '考核年度'), picker)),
    overview,
    section('考核结果', h('p', { class: 'help' }, '按得分排名，同分同名次；未评分的工作站列在最后并说明原因。'), gradeFilter.form, table.el),
    h('details', { class: 'card', open: unfold }, h('summary', {}, h('h2', {}, '评分细则')),
      h('p', { class: 'help' }, '指标树最多三级；末级指标按评分方式计分。保存时系统检查分值是否算得平，并在出错的位置给出说明。'),
      rubricBox),
    h('details', { class: 'card', open: unfold }, h('summary', {}, h('h2', {}, '检查项评分')),
      h('p', { class: 'help' }, '运行考核前录入各工作站检查项的得分（0 到该项分值）；未录入的按 0 分计。已运行过的年度显示上次运行时的得分。'),
      checklistBox));
  await table.reload();
  try {
    clear(checklistBox, await checklistTable(view, canEdit, leavesByStation));
  } catch (e) { clear(checklistBox, h('p', { class: 'form-error' }, e.detail || e.message)); }
}
