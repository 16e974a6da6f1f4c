// Chinese labels of the API's stable English codes (the API sends labels too where it can).

export const ROLE_LABELS = {
  admin: '系统管理员', city_staff: '市科协工作人员', county_staff: '县（市、区）科协工作人员',
  enterprise: '企业用户', expert: '专家用户',
};

export const SIZE = [['large', '大型'], ['medium', '中型'], ['small', '小型'], ['micro', '微型']];
export const TITLE = [['senior', '正高'], ['associate_senior', '副高'], ['intermediate', '中级'], ['junior', '初级'], ['other', '其他']];
export const AFFILIATION_KIND = [['university', '高校'], ['institute', '科研院所'], ['enterprise', '企业'], ['other', '其他']];
export const ACADEMY = [['CAS', '中国科学院'], ['CAE', '中国工程院'], ['foreign', '外籍院士']];
export const GENDER = [['male', '男'], ['female', '女']];
export const SERVICE_MODES = [['transfer', '技术转让'], ['commissioned', '委托研究'], ['joint', '联合攻关'],
  ['training', '人才培养'], ['consulting', '技术咨询']];
export const DEMAND_KIND = [['technical_problem', '技术难题'], ['talent', '人才需求'], ['transfer', '成果转化'],
  ['joint_rnd', '合作研发'], ['equipment', '设备共享']];
export const DEMAND_STATUS = [['draft', '草稿'], ['submitted', '已提交'], ['published', '已发布'],
  ['matching', '匹配中'], ['matched', '已匹配'], ['cooperating', '合作中'], ['closed', '已关闭'],
  ['rejected', '已退回'], ['withdrawn', '已撤回']];
export const MATCH_STATUS = [['proposed', '已推荐'], ['contacted', '已联系'], ['accepted', '专家已接受'],
  ['declined', '专家已婉拒'], ['cooperating', '合作中'], ['closed', '已关闭']];

export function label(pairs, code) {
  const p = pairs.find(([c]) => c === code);
  return p ? p[1] : code ?? '';
}

export function labels(pairs, codes) {
  return (codes || []).map((c) => label(pairs, c)).join('、');
}

// Regions of the city (GB/T 2260), loaded once.
let regionsPromise;
export function loadRegions(api) {
  regionsPromise ||= api.get('/regions', { parent_code: '321000', limit: 200 })
    .then((p) => [['321000', '扬州市（市本级）'], ...p.items.map((r) => [r.code, r.name])])
    .catch(() => { regionsPromise = null; return []; });
  return regionsPromise;
}

// The annual report's indicators (the rubric's rules score one of them).
export const REPORT_INDICATORS = [['academician_days', '院士在站工作天数'], ['joint_projects_new', '新增合作项目'],
  ['joint_projects_ongoing', '在研合作项目'], ['rd_input', '研发投入（万元）'], ['patents_applied', '申请专利'],
  ['patents_granted', '授权专利'], ['invention_patents_granted', '授权发明专利'], ['new_products', '新产品'],
  ['standards', '制定标准'], ['papers', '发表论文'], ['new_product_revenue', '新产品销售收入（万元）'],
  ['talents_trained', '培养人才'], ['awards', '获奖']];
export const RUBRIC_RULES = [['linear', '线性（到目标值封顶）'], ['relative', '相对当年最高'], ['steps', '分档'], ['checklist', '检查项（人工打分）']];
export const GRADES = [['excellent', '优秀'], ['good', '良好'], ['pass', '合格'], ['fail', '不合格']];

// County staff write only records of their own region (the API refuses the rest): the regions
// a form offers them, and whether a record is theirs to change.
export function writableRegions(user, regions) {
  return user?.role === 'county_staff' ? regions.filter(([c]) => c === user.region_code) : regions;
}
export function mayWriteRegion(user, code) {
  return user?.role !== 'county_staff' || code === user.region_code;
}
