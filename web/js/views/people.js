// 专家库 and 院士库: search with filters, record pages (contact data as the API gives it:
// masked unless the caller may see it), and the expert's own profile with consent.
import { api } from '../api.js';
import { h, clear, buildForm, pagedTable, notify, badge, section, fmtDate } from '../dom.js';
import { TITLE, AFFILIATION_KIND, ACADEMY, GENDER, SERVICE_MODES, loadRegions, label, labels } from '../labels.js';

const NAMES = { experts: '专家库', academicians: '院士库' };

function unavailable(el, title) {
  clear(el, h('h1', {}, title), h('p', {}, '该功能的接口尚未开放，请稍后再试。'));
}

export function list(kind) {
  return async (_params, el) => {
    const regions = await loadRegions(api);
    const filterSpecs = [
      { name: 'q', label: '搜索', placeholder: '姓名、研究领域、关键词，如 锂电池' },
      kind === 'academicians'
        ? { name: 'academy', label: '院别', type: 'select', options: ACADEMY }
        : { name: 'title', label: '职称', type: 'select', options: TITLE },
      { name: 'region_code', label: '地区', type: 'select', options: regions },
      { name: 'industry_code', label: '行业代码', placeholder: '如 C38' },
      { name: 'discipline_code', label: '学科代码', placeholder: '如 480' },
    ];
    if (kind === 'experts')
      filterSpecs.push({ name: 'affiliation_kind', label: '单位类型', type: 'select', options: AFFILIATION_KIND });
    const filters = buildForm(filterSpecs, {}, { submitLabel: '查询', onSubmit: async () => table.reload() });
    filters.form.classList.add('filters');
    const columns = [
      { label: '姓名', value: (r) => [r.name, r.archived ? badge('已归档', 'muted') : null, r.consent === false ? badge('未授权推荐', 'muted') : null] },
      kind === 'academicians'
        ? { label: '院别', value: (r) => r.academy_label || label(ACADEMY, r.academy) }
        : { label: '职称', value: (r) => r.title_label || label(TITLE, r.title) },
      { label: '单位', value: (r) => r.affiliation || '' },
      { label: '研究领域', value: (r) => r.research_fields || (r.keywords || []).join('、') },
      { label: '电话', value: (r) => r.phone || '' },
    ];
    const table = pagedTable({
      columns,
      async load(cursor) {
        const f = filters.read();
        return api.get('/' + kind, { ...f, sort: f.q ? 'relevance' : undefined, limit: 20, cursor });
      },
      onRow: (r) => { location.hash = `#/${kind}/${r.id}`; },
    });
    clear(el, h('h1', {}, NAMES[kind]), filters.form, table.el);
    try {
      await api.get('/' + kind, { limit: 1 });
    } catch (e) {
      if (e.status === 404 && e.code === 'route_not_found') return unavailable(el, NAMES[kind]);
    }
    await table.reload();
  };
}

function facts(rec, regions) {
  const rows = [
    ['性别', label(GENDER, rec.gender) || rec.gender_label],
    ['出生年份', rec.birth_year],
    ['院别', rec.academy ? rec.academy_label || label(ACADEMY, rec.academy) : null],
    ['学部', rec.division],
    ['当选年份', rec.election_year],
    ['职称', rec.title_label || label(TITLE, rec.title)],
    ['单位', rec.affiliation],
    ['单位类型', rec.affiliation_kind ? rec.affiliation_kind_label || label(AFFILIATION_KIND, rec.affiliation_kind) : null],
    ['地区', label(regions, rec.region_code)],
    ['学科', (rec.discipline_codes || []).join('、')],
    ['行业', (rec.industry_codes || []).join('、')],
    ['研究领域', rec.research_fields],
    ['关键词', (rec.keywords || []).join('、')],
    ['服务方式', labels(SERVICE_MODES, rec.service_modes)],
    ['主要成果', rec.achievements],
    ['电话', rec.phone],
    ['电子邮箱', rec.email],
    ['身份证号', rec.id_number],
    ['通信地址', rec.address],
    ['同意推荐', rec.consent === undefined ? null : rec.consent ? '是' : '否'],
    ['可接受服务', rec.available === undefined ? null : rec.available ? '是' : '否'],
    ['更新时间', fmtDate(rec.updated_at)],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

export function detail(kind) {
  return async (params, el) => {
    const regions = await loadRegions(api);
    const rec = await api.get(`/${kind}/${params.id}`);
    clear(el, h('p', {}, h('a', { href: '#/' + kind }, '← ' + NAMES[kind])),
      h('h1', {}, rec.name, rec.archived ? badge('已归档', 'muted') : null),
      facts(rec, regions));
    try {
      const recs = await api.get(`/experts/${params.id}/recommended-demands`, { limit: 10 });
      el.append(section('可对接的企业需求', recs.items.length
        ? h('ol', {}, recs.items.map((d) => h('li', {},
          h('a', { href: '#/demands/' + (d.demand_id || d.id) }, d.title || '需求 ' + (d.demand_id || d.id)),
          ` · 匹配度 ${Number(d.score).toFixed(2)}`)))
        : h('p', {}, '暂无')));
    } catch { /* recommendations not served (yet) or not for this role */ }
  };
}

export async function mine(_params, el, user) {
  if (!user.expert_id) {
    clear(el, h('h1', {}, '我的资料'), h('p', {}, '此账号未绑定专家记录，请联系市科协。'));
    return;
  }
  let res;
  try {
    res = await api.getWithEtag('/experts/' + user.expert_id);
  } catch (e) {
    if (e.status === 404 && e.code === 'route_not_found') return unavailable(el, '我的资料');
    throw e;
  }
  let { data: rec, etag } = res;
  const regions = await loadRegions(api);
  const render = () => {
    const f = buildForm([
      { name: 'consent', label: '同意向企业推荐我（可随时撤回）', type: 'checkbox' },
      { name: 'available', label: '目前可以接受服务邀请', type: 'checkbox' },
      { name: 'phone', label: '电话', max: 32, inputmode: 'tel' },
      { name: 'email', label: '电子邮箱', type: 'email', max: 200 },
      { name: 'research_fields', label: '研究领域', type: 'textarea', wide: true },
      { name: 'keywords', label: '关键词（用逗号分隔）', type: 'list', wide: true },
      { name: 'achievements', label: '主要成果', type: 'textarea', wide: true },
    ], rec, {
      submitLabel: '保存',
      async onSubmit(read) {
        const patch = read(true);
        if (!Object.keys(patch).length) { notify('没有修改'); return; }
        rec = await api.patch('/experts/' + user.expert_id, patch, etag);
        etag = `"${rec.version}"`;
        notify('已保存');
        render();
      },
    });
    clear(el, h('h1', {}, '我的资料：' + rec.name), facts(rec, regions), section('修改资料与推荐授权', f.form));
  };
  render();
}
