// 批量导入: pick a library, download its template, upload a CSV/XLSX (a dry run first, or the
// good rows only), and read the counts and the row-by-row report of rejected rows.
import { api } from '../api.js';
import { h, clear, notify, section } from '../dom.js';

// The libraries the import may serve; the API answers 404 for those it does not (yet), and
// those are offered as 暂未开放.
const LIBRARIES = [
  ['enterprises', '企业库'],
  ['experts', '专家库'],
  ['academicians', '院士库'],
  ['demands', '企业需求库'],
  ['workstations', '院士工作站'],
];

// Whether the API imports into lib (its template answers).
async function probe(lib) {
  try {
    await api.get(`/imports/${lib}/template.csv`);
    return true;
  } catch (e) {
    return e.status !== 404;
  }
}

function report(res, problem) {
  const counts = h('dl', { class: 'facts counts' }, [
    ['读取行数', res.rows], ['新增', res.inserted], ['更新', res.updated], ['未变化', res.unchanged],
    ['不合格行数', res.rejected_rows],
    ['文件', [res.format?.toUpperCase(), res.charset].filter(Boolean).join('，')],
  ].filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
  let verdict;
  if (problem) verdict = h('p', { class: 'form-error', role: 'alert' }, problem.detail || problem.title,
    problem.code === 'import_rejected' ? '。没有写入任何记录，请按下表改正后重新上传，或勾选“跳过不合格的行”。' : '');
  else if (res.dry_run) verdict = h('p', { class: 'ok-text', role: 'status' },
    `校验完成（未写入）：将新增 ${res.inserted} 条，更新 ${res.updated} 条` + (res.rejected_rows ? `，${res.rejected_rows} 行不合格。` : '，没有不合格的行。'));
  else verdict = h('p', { class: 'ok-text', role: 'status' },
    `导入完成：新增 ${res.inserted} 条，更新 ${res.updated} 条，未变化 ${res.unchanged} 条` + (res.rejected_rows ? `，跳过不合格的 ${res.rejected_rows} 行。` : '。'));
  const rejected = res.rejected || [];
  return [verdict, counts, rejected.length ? [
    h('h3', {}, '不合格的行'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list rejected' },
      h('caption', { class: 'visually-hidden' }, '不合格的行：行号、列、原因'),
      h('thead', {}, h('tr', {}, ['行号', '列', '原因'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rejected.map((r) => h('tr', {},
        h('td', { 'data-label': '行号' }, `第 ${r.row} 行`), h('td', { 'data-label': '列' }, r.column || '—'),
        h('td', { 'data-label': '原因' }, r.reason)))))),
    res.rejected_truncated ? h('p', { class: 'help' }, '只列出了前 1000 条问题。') : null,
    h('p', { class: 'help' }, '行号与 Excel 左侧的行号一致（第 1 行是表头）。'),
  ] : null];
}

export async function view(_params, el) {
  const open = await Promise.all(LIBRARIES.map(([lib]) => probe(lib)));
  const available = LIBRARIES.filter((_, i) => open[i]);
  if (!available.length) {
    clear(el, h('h1', {}, '批量导入'), h('p', {}, '导入接口尚未开放，请稍后再试。'));
    return;
  }
  const lib = h('select', { id: 'import-library', name: 'library' }, LIBRARIES.map(([v, t], i) =>
    h('option', { value: v, disabled: !open[i], selected: v === available[0][0] }, open[i] ? t : `${t}（暂未开放）`)));
  const file = h('input', { id: 'import-file', name: 'file', type: 'file', required: true,
    accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const dry = h('input', { id: 'import-dry', name: 'dry_run', type: 'checkbox', checked: true });
  const partial = h('input', { id: 'import-partial', name: 'partial', type: 'checkbox' });
  const sheet = h('input', { id: 'import-sheet', name: 'sheet', type: 'text', placeholder: '默认第一张', autocomplete: 'off' });
  const fileErr = h('span', { class: 'field-error', id: 'import-file-err', 'aria-live': 'polite' });
  file.setAttribute('aria-describedby', 'import-file-err');
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '校验');
  dry.addEventListener('change', () => { submit.textContent = dry.checked ? '校验' : '导入'; });

  async function template(format) {
    try {
      await api.download(`/imports/${lib.value}/template.${format}`, null, `${lib.value}-template.${format}`);
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }

  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'import-library' }, '导入到'), lib),
      h('div', { class: 'field' }, h('label', { for: 'import-file' }, '文件（CSV 或 .xlsx）', h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), file, fileErr),
      h('div', { class: 'field' }, h('label', { for: 'import-sheet' }, '工作表名称（Excel，可不填）'), sheet),
      h('div', { class: 'field check' }, h('label', { for: 'import-dry' }, '只校验，不写入'), dry),
      h('div', { class: 'field check' }, h('label', { for: 'import-partial' }, '跳过不合格的行，导入其余的行'), partial)),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(fileErr);
    file.removeAttribute('aria-invalid');
    const f = file.files[0];
    if (!f) {
      clear(fileErr, '请选择要上传的文件');
      file.setAttribute('aria-invalid', 'true');
      file.focus();
      return;
    }
    submit.disabled = true;
    clear(result, h('p', { class: 'loading' }, '正在上传和校验…'));
    try {
      const res = await api.upload(`/imports/${lib.value}`, f, {
        dry_run: dry.checked ? 'true' : undefined, partial: partial.checked ? 'true' : undefined,
        sheet: sheet.value.trim() || undefined, file_name: f.name,
      });
      clear(result, report(res, null));
      if (!res.dry_run) notify('导入完成');
    } catch (e) {
      if (e.problem && Array.isArray(e.problem.rejected)) {
        clear(result, report(e.problem, e.problem));
      } else {
        clear(result, h('p', { class: 'form-error', role: 'alert' }, e.detail || e.message,
          (e.errors || []).map((fe) => ` ${fe.field}：${fe.message || fe.code}`)));
      }
    } finally {
      submit.disabled = false;
    }
  });

  clear(el, h('h1', {}, '批量导入'),
    section('1. 下载模板',
      h('p', { class: 'help' }, '按模板填写，或把已有表格的表头改成模板的列名。Excel 模板的第二张表“填写说明”列出每一列的要求。'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => template('xlsx') }, '下载 Excel 模板'),
        h('button', { type: 'button', onclick: () => template('csv') }, '下载 CSV 模板'))),
    section('2. 上传文件',
      h('p', { class: 'help' }, '先“只校验”看看将新增、更新多少条和哪些行有错；没有勾选“跳过不合格的行”时，只要有一行不合格，整个文件都不写入。同一个文件导入两次不会多出记录。'),
      form),
    section('3. 结果', result));
}
