// Small DOM helpers: elements built from data (never HTML strings, so data cannot inject
// markup), forms whose fields show the API's per-field errors, paged tables, notices.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let noticeTimer;
export function notify(text, kind = 'ok') {
  const box = document.getElementById('notice');
  clear(box, text);
  box.className = 'notice ' + kind;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === 'error' ? 8000 : 3000);
}

export function fmtDate(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

let uid = 0;

// A form from field specs: {name, label, type: text|number|select|textarea|checkbox|date|list,
// options: [[value, label]], required, help, readonly}. values fills it. Returns
// {form, read(), showErrors(err), fields}.
export function buildForm(specs, values = {}, { onSubmit, submitLabel = '保存', extra } = {}) {
  const fields = {};
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const rows = specs.map((s) => {
    const id = 'f' + ++uid + '-' + s.name;
    const v = values[s.name];
    let input;
    if (s.type === 'select') {
      input = h('select', { id, name: s.name, required: s.required, disabled: s.readonly },
        s.required ? null : h('option', { value: '' }, '（不填）'),
        (s.options || []).map(([val, label]) =>
          h('option', { value: val, selected: String(v ?? '') === String(val) }, label)));
    } else if (s.type === 'textarea') {
      input = h('textarea', { id, name: s.name, rows: s.rows || 4, required: s.required,
        readonly: s.readonly, maxlength: s.max });
      input.value = v ?? '';
    } else if (s.type === 'checkbox') {
      input = h('input', { id, name: s.name, type: 'checkbox', checked: Boolean(v), disabled: s.readonly });
    } else {
      input = h('input', { id, name: s.name, type: s.type === 'list' ? 'text' : s.type || 'text',
        required: s.required, readonly: s.readonly, maxlength: s.max, min: s.min, step: s.step,
        inputmode: s.inputmode, autocomplete: s.autocomplete || 'off', placeholder: s.placeholder });
      input.value = s.type === 'list' ? (v || []).join('，') : v ?? '';
    }
    const err = h('span', { class: 'field-error', id: id + '-err', 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', id + '-err');
    fields[s.name] = { spec: s, input, err };
    return h('div', { class: 'field' + (s.type === 'checkbox' ? ' check' : '') + (s.wide ? ' wide' : '') },
      h('label', { for: id }, s.label, s.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      input, s.help ? h('small', { class: 'help' }, s.help) : null, err);
  });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h('form', { class: 'form', novalidate: true }, h('div', { class: 'grid' }, rows),
    formError, h('div', { class: 'actions' }, button, extra || null));

  function read(onlyChanged) {
    const out = {};
    for (const [name, { spec, input }] of Object.entries(fields)) {
      if (spec.readonly) continue;
      let val;
      if (spec.type === 'checkbox') val = input.checked;
      else if (spec.type === 'number') val = input.value.trim() === '' ? null : Number(input.value);
      else if (spec.type === 'list') val = input.value.split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean);
      else val = input.value.trim() === '' ? null : input.value.trim();
      if (onlyChanged) {
        const before = values[name];
        const same = JSON.stringify(before ?? (spec.type === 'list' ? [] : spec.type === 'checkbox' ? false : null)) === JSON.stringify(val);
        if (same) continue;
      }
      if (val === null && !onlyChanged) continue;
      out[name] = val;
    }
    return out;
  }

  function showErrors(e) {
    for (const f of Object.values(fields)) { clear(f.err); f.input.removeAttribute('aria-invalid'); }
    formError.hidden = true;
    if (!e) return;
    let placed = false;
    for (const fe of e.errors || []) {
      const f = fields[fe.field];
      if (!f) continue;
      clear(f.err, fe.message || fe.code);
      f.input.setAttribute('aria-invalid', 'true');
      if (!placed) f.input.focus();
      placed = true;
    }
    const unplaced = (e.errors || []).filter((fe) => !fields[fe.field]);
    if (!placed || unplaced.length) {
      clear(formError, e.detail || e.title || e.message,
        unplaced.map((fe) => ` ${fe.field}：${fe.message || fe.code}`));
      formError.hidden = false;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!onSubmit) return;
    showErrors(null);
    button.disabled = true;
    try {
      await onSubmit(read, form);
    } catch (e) {
      showErrors(e);
    } finally {
      button.disabled = false;
    }
  });
  return { form, read, showErrors, fields };
}

// A table over a cursor-paged list. load(cursor) -> {items, next_cursor}. columns:
// [{label, value: (row) => text|Node}]. onRow(row) makes rows open a record.
export function pagedTable({ columns, load, onRow, empty = '没有记录' }) {
  const body = h('tbody');
  const status = h('p', { class: 'list-status', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button' }, '上一页');
  const next = h('button', { type: 'button' }, '下一页');
  const stack = []; // cursors of the pages before the current one
  let current = null;
  let nextCursor = null;

  async function show(cursor) {
    status.textContent = '加载中…';
    try {
      const page = await load(cursor);
      current = cursor;
      nextCursor = page.next_cursor;
      clear(body, page.items.map((row) => {
        const tr = h('tr', {}, columns.map((c) => h('td', { 'data-label': c.label }, c.value(row))));
        if (onRow) {
          tr.classList.add('clickable');
          tr.tabIndex = 0;
          tr.addEventListener('click', () => onRow(row));
          tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onRow(row); });
        }
        return tr;
      }));
      status.textContent = page.items.length ? `第 ${stack.length + 1} 页，本页 ${page.items.length} 条` : empty;
      prev.disabled = stack.length === 0;
      next.disabled = !nextCursor;
    } catch (e) {
      status.textContent = '加载失败：' + (e.detail || e.message);
      status.classList.add('error');
    }
  }
  prev.addEventListener('click', () => show(stack.pop() ?? null));
  next.addEventListener('click', () => { stack.push(current); show(nextCursor); });

  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))), body));
  const el = h('div', { class: 'paged' }, table, h('div', { class: 'pager' }, status, prev, next));
  return { el, reload() { stack.length = 0; return show(null); } };
}

export function badge(text, kind = '') {
  return h('span', { class: 'badge ' + kind }, text);
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), children);
}

// A form in a modal dialog over the page (Esc or 取消 closes it). onSubmit(values) may throw an
// ApiError: its field errors show in the dialog. Resolves with onSubmit's result, or null.
export function dialogForm(title, specs, values, { submitLabel = '确定', onSubmit, intro } = {}) {
  return new Promise((resolve) => {
    const id = 'dlg' + ++uid;
    let result = null;
    const dlg = h('dialog', { 'aria-labelledby': id + '-t' });
    const f = buildForm(specs, values, {
      submitLabel,
      async onSubmit(read) {
        result = await onSubmit(read());
        dlg.close();
      },
      extra: h('button', { type: 'button', onclick: () => dlg.close() }, '取消'),
    });
    dlg.append(h('h2', { id: id + '-t' }, title), intro ? h('p', { class: 'help' }, intro) : null, f.form);
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); }, { once: true });
    document.body.append(dlg);
    dlg.showModal();
    const first = Object.values(f.fields)[0];
    if (first) first.input.focus();
  });
}

// A control with a label that only screen readers read (for inputs inside table cells, whose
// column header names them for the eye).
export function labelled(text, input) {
  if (!input.id) input.id = 'c' + ++uid;
  return [h('label', { class: 'visually-hidden', for: input.id }, text), input];
}
