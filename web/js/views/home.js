// The first screen after sign-in: what this role can do, with the figures at hand.
import { api } from '../api.js';
import { h, clear, notify, section } from '../dom.js';
import { ROLE_LABELS } from '../labels.js';

const STAFF_CARDS = [
  ['#/enterprises', '企业库', '企业名录、信用代码、联系人', '/enterprises'],
  ['#/experts', '专家库', '专家检索、学科与行业、服务方式', '/experts'],
  ['#/academicians', '院士库', '两院院士与外籍院士', '/academicians'],
  ['#/demands', '需求库', '企业技术需求的审核、发布与匹配', '/demands'],
  ['#/projects', '科技项目库', '院士工作站合作、产学研合作与成果转化项目', '/projects'],
  ['#/workstations', '院士工作站', '工作站状态与年度报告', '/workstations'],
  ['#/matches', '匹配看板', '专家推荐与对接进展', '/matches'],
];

async function countOf(path) {
  // One item is enough to know whether the library answers; lists carry no total.
  try {
    const p = await api.get(path, { limit: 1 });
    return p.items.length ? '有记录' : '暂无记录';
  } catch (e) {
    return e.status === 404 ? '即将开放' : '';
  }
}

export async function view(_params, el, user) {
  const hello = h('h1', {}, `您好，${user.display_name || user.username}`);
  const role = h('p', { class: 'help' }, user.role_label || ROLE_LABELS[user.role]);
  if (user.role === 'enterprise') {
    clear(el, hello, role, h('div', { class: 'cards' },
      h('a', { class: 'card link-card', href: '#/my/demands' }, h('h2', {}, '我的需求'), h('p', {}, '发布技术难题、人才与合作需求，查看推荐的专家')),
      h('a', { class: 'card link-card', href: '#/my/enterprise' }, h('h2', {}, '企业信息'), h('p', {}, '联系人、地址等信息'))));
    return;
  }
  if (user.role === 'expert') {
    clear(el, hello, role, h('div', { class: 'cards' },
      h('a', { class: 'card link-card', href: '#/my/profile' }, h('h2', {}, '我的资料'), h('p', {}, '个人资料与推荐授权'))));
    return;
  }
  const cards = STAFF_CARDS.map(([href, title, text, path]) => {
    const state = h('small', { class: 'help' });
    countOf(path).then((t) => { state.textContent = t; });
    return h('a', { class: 'card link-card', href }, h('h2', {}, title), h('p', {}, text), state);
  });
  const stats = h('div', { class: 'stats-panel' });
  clear(el, hello, role, stats, h('div', { class: 'cards' }, cards));
  await yearFigures(stats, new Date().getFullYear());
}

// The year's figures (GET /stats/{year}) as numbers and bar charts; the panel stays hidden
// while the daemon does not serve statistics.
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// A horizontal bar chart of [label, value] pairs, sized by attributes (no inline style).
function barChart(title, pairs) {
  const rowH = 26, labelW = 150, barW = 200, valueW = 40;
  const max = Math.max(1, ...pairs.map(([, v]) => v));
  const height = pairs.length * rowH + 4;
  const summary = `${title}：` + pairs.map(([k, v]) => `${k} ${v}`).join('，');
  const chart = svg('svg', { viewBox: `0 0 ${labelW + barW + valueW} ${height}`, role: 'img', 'aria-label': summary },
    svg('title', {}, summary),
    ...pairs.flatMap(([k, v], i) => {
      const y = i * rowH + 2;
      return [
        svg('text', { x: labelW - 6, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'bar-label' },
          k.length > 11 ? k.slice(0, 10) + '…' : k),
        svg('rect', { x: labelW, y: y + 4, width: Math.max(v > 0 ? 2 : 0, (v / max) * barW), height: rowH - 8, rx: 3, class: 'bar-fill' }),
        svg('text', { x: labelW + (v / max) * barW + 4, y: y + rowH / 2 + 4, class: 'bar-value' }, String(v)),
      ];
    }));
  return h('figure', { class: 'card chart' }, h('figcaption', {}, h('h3', {}, title)), chart);
}

async function yearFigures(box, year) {
  let s;
  try {
    s = await api.get('/stats/' + year);
  } catch (e) {
    if (e.status !== 404) clear(box, h('p', { class: 'form-error' }, '年度统计加载失败：' + (e.detail || e.message)));
    else clear(box);
    return;
  }
  const c = s.city_wide;
  const thisYear = new Date().getFullYear();
  const picker = h('select', { id: 'stats-year' }, [0, 1, 2, 3, 4].map((d) => thisYear - d)
    .map((y) => h('option', { value: y, selected: y === year }, `${y} 年`)));
  picker.addEventListener('change', () => yearFigures(box, Number(picker.value)));
  const download = async (format) => {
    try {
      await api.download('/stats/' + year, { format }, `stats-${year}.${format}`);
    } catch (e) { notify(e.detail || e.message, 'error'); }
  };
  const figure = (k, v) => h('div', {}, h('dt', {}, k), h('dd', {}, String(v)));
  const regions = s.regions.filter((r) => r.region_code);
  clear(box, section(`${year} 年度数据`,
    h('div', { class: 'page-head' },
      h('div', { class: 'year-pick' }, h('label', { for: 'stats-year' }, '统计年度'), picker),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => download('xlsx') }, '导出 XLSX'),
        h('button', { type: 'button', onclick: () => download('csv') }, '导出 CSV'))),
    h('dl', { class: 'figures' },
      figure('新引进院士', c.academicians_brought_in), figure('新入库专家', c.experts_brought_in),
      figure('发布需求', c.demands.posted), figure('已匹配需求', c.demands.matched),
      figure('已解决需求', c.demands.solved), figure('推荐对接', c.matches.total),
      figure('签约项目', c.projects_signed), figure('运行中工作站', c.workstations_by_status.running),
      figure('服务活动', c.service_activities.total)),
    h('div', { class: 'charts' },
      barChart('各地区发布需求', regions.map((r) => [r.region_name, r.demands.posted])),
      barChart('对接进展', [['已推荐', c.matches.proposed], ['已联系', c.matches.contacted], ['专家已接受', c.matches.accepted],
        ['专家已婉拒', c.matches.declined], ['合作中', c.matches.cooperating], ['已关闭', c.matches.closed]]),
      barChart('工作站考核等级', [['优秀', c.workstations_by_grade.excellent], ['良好', c.workstations_by_grade.good],
        ['合格', c.workstations_by_grade.pass], ['不合格', c.workstations_by_grade.fail], ['未评定', c.workstations_by_grade.ungraded]]),
      barChart('服务活动（四进）', [['进机关', c.service_activities.agency_lecture], ['进校园', c.service_activities.campus_science],
        ['进园区', c.service_activities.park_guidance], ['进企业建站', c.service_activities.enterprise_station], ['其他', c.service_activities.other]]))));
}
