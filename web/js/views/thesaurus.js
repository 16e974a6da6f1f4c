// 同义词表: the synonym groups search and ranking use (a query with one term also finds the
// others); staff add and delete groups.
import { api } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, section, fmtDate } from '../dom.js';

const STAFF = ['admin', 'city_staff', 'county_staff'];

export async function view(_params, el, user) {
  const staff = STAFF.includes(user.role);
  const filters = buildForm([{ name: 'q', label: '查找词语', placeholder: '如 芯片' }], {},
    { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');

  async function remove(g) {
    if (!confirm(`删除同义词组“${g.terms.join('、')}”？删除后检索立即不再使用这组同义词。`)) return;
    try {
      await api.del('/thesaurus/' + g.id);
      notify('已删除同义词组');
      table.reload();
    } catch (e) { notify(e.detail || e.message, 'error'); }
  }

  const table = pagedTable({
    empty: '还没有同义词组',
    columns: [
      { label: '同义词', value: (g) => h('span', { class: 'terms' }, g.terms.join(' = ')) },
      { label: '备注', value: (g) => g.note || '' },
      { label: '添加时间', value: (g) => fmtDate(g.created_at) },
      ...(staff ? [{ label: '操作', value: (g) => h('button', { type: 'button', class: 'danger',
        'aria-label': `删除同义词组 ${g.terms.join('、')}`, onclick: () => remove(g) }, '删除') }] : []),
    ],
    load: (cursor) => api.get('/thesaurus', { ...filters.read(), limit: 50, cursor }),
  });

  const add = staff ? buildForm([
    { name: 'terms', label: '同义词（2 到 20 个，用逗号分隔）', type: 'list', required: true, wide: true, placeholder: '如 芯片，集成电路，IC' },
    { name: 'note', label: '备注', max: 500, wide: true, placeholder: '如 电子信息行业' },
  ], {}, {
    submitLabel: '添加同义词组',
    async onSubmit(read, form) {
      const v = read();
      const g = await api.post('/thesaurus', { terms: v.terms || [], note: v.note ?? null });
      form.reset();
      notify(`已添加同义词组：${g.terms.join('、')}`);
      filters.fields.q.input.value = '';
      await table.reload();
    },
  }) : null;

  clear(el, h('h1', {}, '同义词表'),
    h('p', { class: 'help' }, '检索和匹配时，同一组里的词互相通用：搜索其中一个词，也能找到使用其他词的记录。'),
    add ? section('添加同义词组', add.form) : null,
    section('同义词组', filters.form, table.el));
  await table.reload();
}
