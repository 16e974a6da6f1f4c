// 企业库: list with search and filters, create, record page with edit, archive and restore.
import { api, idempotencyKey } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate } from '../dom.js';
import { SIZE, loadRegions, label, writableRegions, mayWriteRegion } from '../labels.js';

function specs(regions, { enterpriseUser = false } = {}) {
  const ro = enterpriseUser; // an enterprise user changes only its contact fields
  return [
    { name: 'name', label: '企业名称', required: true, max: 200, readonly: ro, wide: true },
    { name: 'credit_code', label: '统一社会信用代码', required: true, max: 18, readonly: ro,
      help: '18 位，末位校验码会被核对', autocomplete: 'off' },
    { name: 'region_code', label: '所属地区', type: 'select', options: regions, readonly: ro },
    { name: 'industry_code', label: '行业代码（GB/T 4754）', max: 16, readonly: ro, placeholder: '如 C38' },
    { name: 'size', label: '企业规模', type: 'select', options: SIZE, readonly: ro },
    { name: 'high_tech', label: '高新技术企业', type: 'checkbox', readonly: ro },
    { name: 'address', label: '地址', max: 200, wide: true },
    { name: 'contact_name', label: '联系人', max: 64 },
    { name: 'contact_phone', label: '联系电话', max: 32, inputmode: 'tel' },
    { name: 'description', label: '企业简介', type: 'textarea', max: 4000, wide: true },
  ];
}

export async function list(_params, el) {
  const regions = await loadRegions(api);
  const filters = buildForm([
    { name: 'q', label: '搜索', placeholder: '企业名称、简介、地址' },
    { name: 'region_code', label: '地区', type: 'select', options: regions },
    { name: 'size', label: '规模', type: 'select', options: SIZE },
    { name: 'high_tech', label: '高新技术企业', type: 'select', options: [['true', '是'], ['false', '否']] },
    { name: 'include_archived', label: '含已归档', type: 'checkbox' },
  ], {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
  filters.form.classList.add('filters');
  const table = pagedTable({
    columns: [
      { label: '企业名称', value: (r) => [r.name, r.archived ? badge('已归档', 'muted') : null] },
      { label: '信用代码', value: (r) => r.credit_code },
      { label: '地区', value: (r) => label(regions, r.region_code) },
      { label: '规模', value: (r) => r.size_label || '' },
      { label: '高新', value: (r) => (r.high_tech ? '是' : '') },
      { label: '联系人', value: (r) => r.contact_name || '' },
    ],
    async load(cursor) {
      const f = filters.read();
      return api.get('/enterprises', { ...f, include_archived: f.include_archived ? 'true' : '',
        sort: f.q ? 'relevance' : 'id', limit: 20, cursor });
    },
    onRow: (r) => { location.hash = '#/enterprises/' + r.id; },
  });
  clear(el, h('div', { class: 'page-head' }, h('h1', {}, '企业库'),
    h('a', { class: 'button primary', href: '#/enterprises/new' }, '新建企业')),
  filters.form, table.el);
  await table.reload();
}

export async function create(_params, el, user) {
  const regions = writableRegions(user, await loadRegions(api));
  const key = idempotencyKey();
  const own = user?.role === 'county_staff' ? { region_code: user.region_code } : {};
  const f = buildForm(specs(regions), { high_tech: false, ...own }, {
    submitLabel: '创建',
    async onSubmit(read) {
      const rec = await api.post('/enterprises', read(), { 'Idempotency-Key': key });
      notify('已创建企业：' + rec.name);
      location.hash = '#/enterprises/' + rec.id;
    },
  });
  clear(el, h('p', {}, h('a', { href: '#/enterprises' }, '← 企业库')), h('h1', {}, '新建企业'), f.form);
}

async function record(id, el, { enterpriseUser = false, user = null } = {}) {
  const regions = await loadRegions(api);
  const staffView = !enterpriseUser;
  let { data: rec, etag } = await api.getWithEtag('/enterprises/' + id, staffView ? { include_archived: 'true' } : {});
  const render = () => {
    // County staff read every region's record but change only their own region's.
    if (!mayWriteRegion(user, rec.region_code)) {
      const f = buildForm(specs(regions, { enterpriseUser: true }).map((sp) => ({ ...sp, readonly: true })), rec, {});
      f.form.querySelector('.actions').remove();
      clear(el, h('p', {}, h('a', { href: '#/enterprises' }, '← 企业库')),
        h('div', { class: 'page-head' }, h('h1', {}, rec.name)),
        h('p', { class: 'help other-region' }, `该企业属于${label(regions, rec.region_code)}，您只能查看，不能修改。`), f.form);
      return;
    }
    const f = buildForm(specs(user ? writableRegions(user, regions) : regions, { enterpriseUser }), rec, {
      submitLabel: '保存修改',
      async onSubmit(read) {
        const patch = read(true);
        if (!Object.keys(patch).length) { notify('没有修改'); return; }
        rec = await api.patch('/enterprises/' + id, patch, etag);
        etag = `"${rec.version}"`;
        notify('已保存');
        render();
      },
    });
    const actions = [];
    if (staffView) {
      const act = rec.archived ? 'restore' : 'archive';
      actions.push(h('button', {
        type: 'button', class: rec.archived ? '' : 'danger',
        async onclick() {
          if (!rec.archived && !confirm(`确定归档“${rec.name}”吗？归档后不再出现在列表和检索中，可以恢复。`)) return;
          try {
            rec = await api.action(`/enterprises/${id}/${act}`, undefined, etag);
            etag = `"${rec.version}"`;
            notify(rec.archived ? '已归档' : '已恢复');
            render();
          } catch (e) { notify(e.detail || e.message, 'error'); }
        },
      }, rec.archived ? '恢复' : '归档'));
    }
    clear(el,
      staffView ? h('p', {}, h('a', { href: '#/enterprises' }, '← 企业库')) : null,
      h('div', { class: 'page-head' }, h('h1', {}, rec.name, rec.archived ? badge('已归档', 'muted') : null), h('div', {}, actions)),
      h('p', { class: 'help' }, `编号 ${rec.id} · 版本 ${rec.version} · 更新于 ${fmtDate(rec.updated_at)}`),
      rec.archived ? h('p', { class: 'help' }, '已归档的记录不能修改，恢复后可编辑。') : f.form);
  };
  render();
}

export const detail = (params, el, user) => record(params.id, el, { user });

export async function mine(_params, el, user) {
  if (!user.enterprise_id) {
    clear(el, h('h1', {}, '企业信息'), h('p', {}, '此账号未绑定企业，请联系市科协。'));
    return;
  }
  await record(user.enterprise_id, el, { enterpriseUser: true });
  el.prepend(section('说明', h('p', {}, '企业名称、信用代码等登记信息由科协工作人员维护；联系人、地址和简介可以自行修改。')));
}
