// 评审专家组: staff draw reviewers for a year's stations by conditions (discipline, title,
// region, number), and see each draw with the experts excluded for a conflict of interest and
// why; a drawn expert confirms or declines, then scores the checklist items (检查项) of the
// stations assigned to the panel, with the reports and their evidence at hand.
import { api } from '../api.js';
import { h, clear, buildForm, notify, badge, section, fmtDate } from '../dom.js';
import { TITLE, loadRegions, label } from '../labels.js';
import { evidenceSection } from './workstations.js';

const DRAWERS = ['admin', 'city_staff'];
const STAFF = ['admin', 'city_staff', 'county_staff'];
const STATUS_KIND = { pending: 'muted', confirmed: 'ok', declined: 'warn' };
const REPORT_FIGURES = [['academician_days', '院士在站工作天数'], ['joint_projects_new', '新增合作项目'],
  ['rd_input', '研发投入（万元）'], ['patents_applied', '申请专利'], ['patents_granted', '授权专利'],
  ['new_products', '新产品'], ['standards', '制定标准'], ['talents_trained', '培养人才']];

const lastYear = () => new Date().getFullYear() - 1;
const validYear = (y) => Number.isInteger(y) && y >= 2000 && y <= 2100;

function conditionsText(c, regions) {
  const parts = [];
  if (c?.discipline_code) parts.push(`学科 ${c.discipline_code}`);
  if (c?.title) parts.push(`职称 ${label(TITLE, c.title)}`);
  if (c?.region_code) parts.push(`地区 ${label(regions, c.region_code)}`);
  return parts.length ? parts.join('，') : '不限';
}

function statusBadge(r) {
  return badge(r.status_label || { pending: '待确认', confirmed: '已确认', declined: '已谢绝' }[r.status], STATUS_KIND[r.status]);
}

// All running stations (the ones a year assesses), for the draw's choice.
async function runningStations() {
  const out = [];
  let cursor = null;
  do {
    const page = await api.get('/workstations', { status: 'running', limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && out.length < 2000);
  return out;
}

// #/assessments/:year/panels — staff: the draw form and the year's panels.
export async function list(params, el, user) {
  const y = Number(params.year);
  if (!validYear(y)) { location.replace('#/assessments/' + lastYear() + '/panels'); return; }
  const regions = await loadRegions(api);
  const canDraw = DRAWERS.includes(user.role);
  const panels = (await api.get(`/assessments/${y}/panels`)).items;

  const head = [h('p', {}, h('a', { href: '#/assessments/' + y }, `← ${y} 年度考核`)),
    h('h1', {}, `${y} 年度评审专家组`)];
  const listBox = panels.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list panels' },
    h('caption', { class: 'visually-hidden' }, '已抽取的评审专家组'),
    h('thead', {}, h('tr', {}, ['专家组', '抽取条件', '评审工作站', '评审专家', '抽取时间'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, panels.map((p) => h('tr', {},
      h('td', { 'data-label': '专家组' }, h('a', { href: `#/assessments/${y}/panels/${p.id}` }, p.name)),
      h('td', { 'data-label': '抽取条件' }, conditionsText(p.conditions, regions)),
      h('td', { 'data-label': '评审工作站' }, p.workstations.map((w) => w.name).join('、')),
      h('td', { 'data-label': '评审专家' }, p.reviewers.map((r) => [r.name, ' ', statusBadge(r), ' '])),
      h('td', { 'data-label': '抽取时间' }, fmtDate(p.drawn_at)))))))
    : h('p', {}, '本年度还没有抽取评审专家组。');

  if (!canDraw) {
    clear(el, head, section('已抽取的专家组', listBox));
    return;
  }

  // The stations to assign: checkboxes in a fieldset, with its own error line.
  const stations = await runningStations();
  const stationErr = h('span', { class: 'field-error', id: 'panel-stations-err', 'aria-live': 'polite' });
  const boxes = stations.map((w) => {
    const cb = h('input', { type: 'checkbox', name: 'workstation_ids', value: w.id, id: 'panel-ws-' + w.id });
    return [cb, h('label', { class: 'inline', for: cb.id }, cb, w.name, h('small', { class: 'muted' }, ' ' + label(regions, w.region_code)))];
  });
  const all = h('button', { type: 'button', onclick: () => {
    const on = boxes.some(([cb]) => !cb.checked);
    for (const [cb] of boxes) cb.checked = on;
  } }, '全选 / 全不选');
  const stationSet = h('fieldset', { class: 'stations', 'aria-describedby': 'panel-stations-err' },
    h('legend', {}, '评审工作站（分配给本组的工作站）'),
    stations.length ? h('div', { class: 'checks' }, boxes.map(([, l]) => l)) : h('p', {}, '没有运行中的工作站。'),
    all, stationErr);

  const f = buildForm([
    { name: 'name', label: '专家组名称', max: 100, placeholder: '如 第一评审组' },
    { name: 'size', label: '抽取人数', type: 'number', min: 1, step: '1', required: true, help: '1 到 20 人' },
    { name: 'discipline_code', label: '学科代码', placeholder: '如 460（含下级学科）', help: '不填则不限学科' },
    { name: 'title', label: '职称', type: 'select', options: TITLE },
    { name: 'region_code', label: '专家所在地区', type: 'select', options: regions },
    { name: 'seed', label: '随机种子', type: 'number', min: 0, step: '1', help: '不填则随机生成；同一种子对同一专家库抽取结果相同' },
  ], { size: 3 }, {
    submitLabel: '抽取专家',
    async onSubmit(read) {
      clear(stationErr);
      const body = read();
      body.workstation_ids = boxes.filter(([cb]) => cb.checked).map(([cb]) => Number(cb.value));
      if (!body.workstation_ids.length) {
        clear(stationErr, '请至少选择一个工作站');
        boxes[0]?.[0].focus();
        return;
      }
      try {
        const p = await api.post(`/assessments/${y}/panels`, body);
        notify(`已抽取 ${p.reviewers.length} 位评审专家`);
        location.hash = `#/assessments/${y}/panels/${p.id}`;
      } catch (e) {
        const mine = (e.errors || []).filter((x) => (x.field || '').startsWith('workstation_ids'));
        if (mine.length) clear(stationErr, mine.map((x) => x.message || x.code).join('；'));
        if (e.code === 'not_enough_candidates' && !(e.errors || []).length)
          throw { ...e, detail: (e.detail || '') + ' 请放宽条件或减少人数。', errors: [] };
        throw { ...e, detail: e.detail || e.message, errors: (e.errors || []).filter((x) => !mine.includes(x)) };
      }
    },
  });
  f.form.querySelector('.grid').before(stationSet);
  clear(el, head,
    section('抽取评审专家', h('p', { class: 'help' },
      '从专家库中按条件随机抽取；与工作站有利益关系的专家（同单位、共同项目或对接、工作站专家团队或进站院士）自动回避，回避名单和原因随抽取结果保存。'),
    f.form),
    section('已抽取的专家组', listBox));
}

// #/assessments/:year/panels/:id — staff: the draw and the scores; an expert: confirm, then score.
export async function detail(params, el, user) {
  const y = Number(params.year);
  const base = `/assessments/${y}/panels/${params.id}`;
  const regions = await loadRegions(api);
  const staff = STAFF.includes(user.role);
  const p = await api.get(base);
  const me = p.reviewers.find((r) => r.expert_id === user.expert_id);

  const back = staff ? h('a', { href: `#/assessments/${y}/panels` }, `← ${y} 年度评审专家组`)
    : h('a', { href: '#/my/reviews' }, '← 我的评审任务');
  const facts = h('dl', { class: 'facts' }, [
    ['考核年度', `${p.year} 年度`], ['抽取条件', conditionsText(p.conditions, regions)],
    ['抽取人数', `${p.size} 人（符合条件且无需回避的候选专家 ${p.candidates} 人）`],
    ['随机种子', String(p.seed)], ['抽取人', p.drawn_by_name || ''], ['抽取时间', fmtDate(p.drawn_at)],
    ['评审工作站', p.workstations.map((w) => w.name).join('、')],
  ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const reviewers = h('div', { class: 'table-wrap' }, h('table', { class: 'list reviewers' },
    h('caption', { class: 'visually-hidden' }, '评审专家'),
    h('thead', {}, h('tr', {}, ['序号', '专家', '职称', '单位', '状态', '说明', '答复时间'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, p.reviewers.map((r) => h('tr', {},
      h('td', { 'data-label': '序号' }, String(r.draw_order)), h('td', { 'data-label': '专家' }, r.name),
      h('td', { 'data-label': '职称' }, r.title ? label(TITLE, r.title) : ''), h('td', { 'data-label': '单位' }, r.affiliation || ''),
      h('td', { 'data-label': '状态' }, statusBadge(r)), h('td', { 'data-label': '说明' }, r.note || ''),
      h('td', { 'data-label': '答复时间' }, fmtDate(r.responded_at)))))));
  const parts = [h('p', {}, back), h('h1', {}, p.name), facts, section('评审专家', reviewers)];

  if (staff && Array.isArray(p.excluded)) {
    const total = p.excluded_total ?? p.excluded.length;
    const byReason = (p.excluded_by_reason || []).map((r) => `${r.reason_label} ${r.count} 人`).join('；');
    parts.push(section(`回避的专家（${total} 人）`,
      h('p', { class: 'help' }, '符合抽取条件、但与所评工作站存在利益关系或无法参加评审而未参加抽取的专家。' +
        (byReason ? `按原因：${byReason}。` : '') +
        (total > p.excluded.length ? `下表列出其中 ${p.excluded.length} 人：有利益关系的全部列出，仅因无法参加而回避的只列前 200 人。` : '')),
      p.excluded.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list excluded' },
        h('caption', { class: 'visually-hidden' }, '回避的专家及原因'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '专家'), h('th', { scope: 'col' }, '回避原因'))),
        h('tbody', {}, p.excluded.map((x) => h('tr', {},
          h('td', { 'data-label': '专家' }, x.name || `专家 ${x.expert_id}`),
          h('td', { 'data-label': '回避原因' }, (x.reason_labels || x.reasons).join('、')))))))
        : h('p', {}, '没有需要回避的专家。')));
  }

  // The expert's answer.
  if (!staff && me && me.status === 'pending') {
    const note = h('textarea', { id: 'panel-note', rows: 2, maxlength: 1000 });
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const answer = async (decision) => {
      err.hidden = true;
      try {
        await api.action(base + '/confirmation', { decision, note: note.value.trim() || null });
        notify(decision === 'confirm' ? '已确认参加评审' : '已谢绝参加评审');
        await detail(params, el, user);
      } catch (e) { clear(err, e.detail || e.message); err.hidden = false; }
    };
    parts.push(section('是否参加评审',
      h('p', {}, '您被抽选为本组评审专家。确认参加后可查看所分配工作站的年度报告和证明材料并评分；如与工作站存在利益关系，请谢绝并说明。'),
      h('div', { class: 'field wide' }, h('label', { for: 'panel-note' }, '说明（可不填）'), note),
      err,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => answer('confirm') }, '确认参加'),
        h('button', { type: 'button', class: 'danger', onclick: () => answer('decline') }, '谢绝参加'))));
  }

  const stationsBox = h('div', {}, h('p', { class: 'loading' }, '加载中…'));
  if (staff || me?.status === 'confirmed') parts.push(section(staff ? '评审情况' : '评审工作站与评分', stationsBox));
  clear(el, parts);
  if (staff || me?.status === 'confirmed') {
    try {
      const st = await api.get(base + '/stations');
      clear(stationsBox, staff ? staffScores(st) : reviewerForms(y, base, st));
    } catch (e) { clear(stationsBox, h('p', { class: 'form-error' }, e.detail || e.message)); }
  }
}

// Staff: each station's report state, files and the scores each reviewer gave.
function staffScores(st) {
  const items = st.checklist || [];
  if (!st.items.length) return h('p', {}, '没有分配工作站。');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list panel-scores' },
    h('caption', { class: 'visually-hidden' }, '专家评分'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '工作站'), h('th', { scope: 'col' }, '年度报告'),
      h('th', { scope: 'col' }, '证明材料'), h('th', { scope: 'col' }, '专家'),
      items.map((it) => h('th', { scope: 'col' }, `${it.name}（${it.points} 分）`)))),
    h('tbody', {}, st.items.flatMap((s) => {
      const rows = s.scores.length ? s.scores : [null];
      return rows.map((sc, i) => h('tr', {},
        i === 0 ? [h('td', { 'data-label': '工作站', rowspan: rows.length }, s.workstation.name),
          h('td', { 'data-label': '年度报告', rowspan: rows.length }, s.report ? s.report.status_label || s.report.status : '未填报'),
          h('td', { 'data-label': '证明材料', rowspan: rows.length }, `${s.evidence.length} 份`)] : null,
        h('td', { 'data-label': '专家' }, sc ? sc.name : '尚无评分'),
        items.map((it) => h('td', { 'data-label': it.name }, sc && sc.scores[it.key] !== undefined ? String(sc.scores[it.key]) : '—'))));
    }))));
}

// A confirmed reviewer: per station, the report's figures, its evidence and the score form.
function reviewerForms(y, base, st) {
  const items = st.checklist || [];
  if (!st.items.length) return h('p', {}, '本组没有分配工作站。');
  return st.items.map((s) => {
    const w = s.workstation;
    const mine = s.scores[0]?.scores || {};
    const inputs = {};
    const errs = {};
    const fields = items.map((it) => {
      const input = h('input', { type: 'number', inputmode: 'decimal', min: 0, max: it.points, step: 'any' });
      if (mine[it.key] !== undefined) input.value = mine[it.key];
      inputs[it.key] = input;
      errs[it.key] = h('span', { class: 'field-error', 'aria-live': 'polite' });
      input.id = `score-${w.id}-${it.key}`;
      input.setAttribute('aria-label', `${w.name}：${it.name}得分`);
      input.setAttribute('aria-describedby', input.id + '-err');
      errs[it.key].id = input.id + '-err';
      return h('div', { class: 'field' }, h('label', { for: input.id }, `${it.name}（0–${it.points} 分）`), input, errs[it.key]);
    });
    const formErr = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'primary' }, '保存评分');
    const form = h('form', { class: 'form panel-score', novalidate: true, 'aria-label': `${w.name} 检查项评分` },
      h('div', { class: 'grid' }, fields), formErr, h('div', { class: 'actions' }, save));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      for (const k of Object.keys(inputs)) { clear(errs[k]); inputs[k].removeAttribute('aria-invalid'); }
      formErr.hidden = true;
      const scores = {};
      for (const [k, input] of Object.entries(inputs)) if (input.value.trim() !== '') scores[k] = Number(input.value);
      save.disabled = true;
      try {
        await api.put(`${base}/scores/${w.id}`, { scores });
        notify(`已保存对 ${w.name} 的评分`);
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
        if (!placed) { clear(formErr, e.detail || e.message); formErr.hidden = false; }
      } finally { save.disabled = false; }
    });
    const r = s.report;
    const figures = r ? h('dl', { class: 'facts' }, REPORT_FIGURES.filter(([k]) => r[k] !== null && r[k] !== undefined)
      .map(([k, t]) => [h('dt', {}, t), h('dd', {}, String(r[k]))])) : h('p', {}, '该工作站未填报本年度报告。');
    const evidence = r ? evidenceSection(`/workstations/${w.id}/reports/${y}`, { writable: false }).el : null;
    return h('section', { class: 'card station-review' },
      h('h3', {}, w.name, ' ', r ? badge(r.status_label || r.status) : badge('未填报', 'muted')),
      h('p', { class: 'muted' }, w.host_enterprise_name || ''),
      figures, r?.summary ? h('p', { class: 'summary' }, r.summary) : null,
      h('h4', {}, '证明材料'), evidence,
      h('h4', {}, '检查项评分'), items.length ? form : h('p', {}, '本年度细则没有检查项。'));
  });
}

// #/my/reviews — an expert: the panels that drew them, by year.
export async function mine(_params, el, user) {
  const thisYear = new Date().getFullYear();
  const picker = h('select', { id: 'review-year' }, [0, 1, 2, 3].map((i) => {
    const v = thisYear - i;
    return h('option', { value: v, selected: v === lastYear() }, `${v} 年度`);
  }));
  const box = h('div');
  async function load() {
    clear(box, h('p', { class: 'loading' }, '加载中…'));
    try {
      const { items } = await api.get(`/assessments/${picker.value}/panels`);
      if (!items.length) { clear(box, h('p', {}, '该年度没有评审任务。')); return; }
      clear(box, h('ul', { class: 'plain reviews' }, items.map((p) => {
        const r = p.reviewers.find((x) => x.expert_id === user.expert_id);
        return h('li', {}, h('a', { href: `#/assessments/${p.year}/panels/${p.id}` }, p.name), ' ',
          r ? statusBadge(r) : null, ' ',
          h('span', { class: 'muted' }, `评审工作站 ${p.workstations.length} 个：${p.workstations.map((w) => w.name).join('、')}`));
      })));
    } catch (e) { clear(box, h('p', { class: 'form-error' }, e.detail || e.message)); }
  }
  picker.addEventListener('change', load);
  clear(el, h('div', { class: 'page-head' }, h('h1', {}, '我的评审任务'),
    h('div', { class: 'year-pick' }, h('label', { for: 'review-year' }, '考核年度'), picker)), box);
  await load();
}
