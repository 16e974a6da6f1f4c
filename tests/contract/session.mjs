// The scripted session prism.mjs replays through the validating proxy: every operation of
// api/openapi.yaml at least once, on the demo data (scripts/lib/demo.sh) with its logins, in an
// order that makes each step meaningful (create, read, change, walk the workflows, archive,
// restore, delete). Ids come from the responses of earlier steps, never from constants, so the
// walk is the same on any database that holds the demo data. Requests are valid by the
// description; a step whose status is not the expected one is reported as NOTE (the session
// drifted from the daemon) and, where later steps need its result, stops the session.

const YEAR = 2025; // the report and assessment year walked; the demo data has none for it

// A valid unified social credit code (GB 32100-2015) for a made-up enterprise.
function creditCode(body17) {
    const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += chars.indexOf(body17[i]) * weights[i];
    return body17 + chars[(31 - (sum % 31)) % 31];
}

// A minimal PDF, enough for the evidence upload (sikud checks the magic, not the layout).
const PDF = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
        'trailer<</Root 1 0 R>>\n%%EOF\n');

export const notes = [];
export const failures = []; // sections that could not finish

export async function runSession(exchange) {
    // call(token, METHOD, path, {json, raw, type, headers, want}) → {status, json, headers}
    async function call(token, method, target, o = {}) {
        const headers = { ...(o.headers ?? {}) };
        if (token) headers.authorization = `Bearer ${token}`;
        let body;
        if (o.json !== undefined) {
            body = JSON.stringify(o.json);
            headers['content-type'] = o.type ?? 'application/json';
        } else if (o.raw !== undefined) {
            body = o.raw;
            headers['content-type'] = o.type;
        }
        const r = await exchange(method, target, { headers, body });
        const want = [].concat(o.want ?? (method === 'POST' ? [200, 201] : method === 'DELETE' ? [204] : [200]));
        if (!want.includes(r.status)) {
            const detail = `${r.json?.detail ?? r.json?.title ?? ''} ${r.json?.errors ? JSON.stringify(r.json.errors) : ''}`;
            notes.push(`${method} ${target} → ${r.status} (wanted ${want.join('/')}) ${detail}`);
            if (o.need) throw new Error(`${method} ${target} answered ${r.status}, the session needs ${want.join('/')}`);
        }
        return r;
    }
    const need = { need: true };
    const id = r => r.json?.id;
    const first = (r, what) => {
        const items = r.json?.items ?? r.json;
        if (!Array.isArray(items) || items.length === 0) throw new Error(`no ${what} in the demo data`);
        return items[0];
    };
    async function login(username, password) {
        const r = await call(null, 'POST', '/api/v1/auth/login', { json: { username, password }, want: 200, need: true });
        return r.json.token;
    }

    // Operations and reference data.
    await call(null, 'GET', '/healthz');
    await call(null, 'GET', '/readyz');
    await call(null, 'GET', '/api/v1/openapi.yaml');
    const admin = await login('admin', 'Siku-Root-2026');
    const city = await login('city', 'Siku-Shi-2026');
    const county = await login('hanjiang', 'Siku-county-2026');
    const company = await login('company', 'Siku-Qiye-2026');
    const expertUser = await login('expert', 'Siku-Zhuanjia-2026');
    await call(admin, 'GET', '/metrics');
    const region = first(await call(admin, 'GET', '/api/v1/regions?parent_code=321000', need), 'region');
    await call(admin, 'GET', `/api/v1/regions/${region.code}`);
    const discipline = first(await call(admin, 'GET', '/api/v1/disciplines?limit=5', need), 'discipline');
    await call(admin, 'GET', `/api/v1/disciplines/${discipline.code}`);
    const industry = first(await call(admin, 'GET', '/api/v1/industries?q=制造', need), 'industry');
    await call(admin, 'GET', `/api/v1/industries/${industry.code}`);

    // Who is who.
    const me = (await call(company, 'GET', '/api/v1/me', need)).json;
    const myEnterprise = me.enterprise_id;
    const meExpert = (await call(expertUser, 'GET', '/api/v1/me', need)).json;
    await call(admin, 'GET', '/api/v1/users?limit=10');
    const user = (
        await call(admin, 'POST', '/api/v1/users', {
            json: { username: 'contract_county', display_name: '契约 测试', role: 'county_staff', region_code: '321003',
                password: 'Contract-pass-2026' },
            need: true,
        })
    ).json;
    await call(admin, 'GET', `/api/v1/users/${user.id}`);
    await call(admin, 'PATCH', `/api/v1/users/${user.id}`, { json: { display_name: '契约 测试二' } });
    await call(admin, 'PATCH', `/api/v1/users/${user.id}`, { json: { disabled: true }, type: 'application/merge-patch+json' });

    let expert, e1, academician, enterprise, d1, match, d2, term, p1, p2, group, member, activity, ws, evidence, scores, panel;
    // A section that stops (a step it needs failed) is reported and the walk goes on with the
    // next one, so that one broken response does not hide the rest.
    async function section(title, fn) {
        try {
            await fn();
        } catch (e) {
            notes.push(`section "${title}" stopped: ${e.message}`);
            failures.push(title);
        }
    }
    await section('Experts', async () => {
        await call(city, 'GET', '/api/v1/experts?q=电池&limit=5');
        await call(company, 'GET', '/api/v1/experts?limit=3', { want: 403 }); // staff only
        expert = (
            await call(city, 'POST', '/api/v1/experts', {
                json: { name: '王立新', title: 'senior', affiliation: '扬州大学', affiliation_kind: 'university',
                    region_code: '321002', discipline_codes: [discipline.code], industry_codes: [industry.code],
                    research_fields: '锂离子电池正极材料', keywords: ['正极材料', '电池管理'],
                    service_modes: ['joint', 'consulting'], phone: '13812345678', consent: true },
                need: true,
            })
        ).json;
        e1 = await call(city, 'GET', `/api/v1/experts/${expert.id}`, need);
        await call(city, 'PATCH', `/api/v1/experts/${expert.id}`, {
            json: { position: '教授' }, headers: { 'if-match': e1.headers.get('etag') ?? '*' } });
        await call(city, 'POST', `/api/v1/experts/${expert.id}/archive`);
        await call(city, 'POST', `/api/v1/experts/${expert.id}/restore`);
    });
    // Later sections fall back on the demo expert when the new one could not be made.
    expert ??= { id: meExpert.expert_id };
    await section('Academicians', async () => {
        academician = (
            await call(city, 'POST', '/api/v1/academicians', {
                json: { name: '陈立华', academy: 'CAE', division: '能源与矿业工程学部', election_year: 2015,
                    city_ties: ['native', 'cooperation'], research_fields: '储能材料与动力电池', consent: true },
                need: true,
            })
        ).json;
        await call(city, 'GET', '/api/v1/academicians?limit=5');
        await call(city, 'GET', `/api/v1/academicians/${academician.id}`);
        await call(city, 'PATCH', `/api/v1/academicians/${academician.id}`, {
            json: { division: '化工、冶金与材料工程学部' }, type: 'application/merge-patch+json' });
        await call(city, 'POST', `/api/v1/academicians/${academician.id}/archive`);
        await call(city, 'POST', `/api/v1/academicians/${academician.id}/restore`);
    });
    await section('Enterprises', async () => {
        enterprise = (
            await call(city, 'POST', '/api/v1/enterprises', {
                json: { name: '扬州契约智能装备有限公司', credit_code: creditCode('91321003MA1KEY000'),
                    region_code: '321003', industry_code: industry.code, size: 'medium', high_tech: true },
                need: true,
            })
        ).json;
        await call(county, 'GET', '/api/v1/enterprises?limit=5');
        await call(city, 'GET', `/api/v1/enterprises/${enterprise.id}`);
        await call(city, 'PATCH', `/api/v1/enterprises/${enterprise.id}`, { json: { contact_phone: '13905140000' } });
        await call(city, 'POST', `/api/v1/enterprises/${enterprise.id}/archive`);
        await call(city, 'POST', `/api/v1/enterprises/${enterprise.id}/restore`);
    });
    await section('Demands: the whole workflow, matching and a project from a match', async () => {
        const newDemand = async (title) =>
            (
                await call(company, 'POST', '/api/v1/demands', {
                    json: { title, kind: 'technical_problem', industry_code: industry.code,
                        keywords: ['锂电池', '循环寿命'], budget_max: 80, description: '提升动力电池循环寿命至 3000 次以上' },
                    need: true,
                })
            ).json;
        d1 = await newDemand('动力电池循环寿命提升');
        await call(company, 'GET', '/api/v1/demands?limit=5');
        await call(company, 'GET', `/api/v1/demands/${d1.id}`);
        await call(company, 'PATCH', `/api/v1/demands/${d1.id}`, { json: { budget_max: 100 } });
        await call(company, 'POST', `/api/v1/demands/${d1.id}/submit`, { json: {} });
        await call(city, 'POST', `/api/v1/demands/${d1.id}/reject`, { json: { reason: '预算范围不清楚，请补充' } });
        await call(company, 'POST', `/api/v1/demands/${d1.id}/revise`, { json: { reason: '已补充预算' } });
        await call(company, 'POST', `/api/v1/demands/${d1.id}/submit`, { json: {} });
        await call(city, 'POST', `/api/v1/demands/${d1.id}/publish`, { json: { reason: '审核通过' } });
        await call(city, 'GET', `/api/v1/demands/${d1.id}/matches`);
        match = (
            await call(city, 'POST', `/api/v1/demands/${d1.id}/matches`, {
                json: { expert_id: meExpert.expert_id, note: '电池方向首选' }, need: true })
        ).json;
        await call(city, 'GET', `/api/v1/experts/${meExpert.expert_id}/recommended-demands`);
        await call(expertUser, 'GET', '/api/v1/matches');
        await call(city, 'GET', `/api/v1/matches/${match.id}`);
        await call(city, 'PATCH', `/api/v1/matches/${match.id}`, { json: { status: 'contacted' } });
        await call(expertUser, 'PATCH', `/api/v1/matches/${match.id}`, { json: { status: 'accepted' } });
        await call(city, 'PATCH', `/api/v1/matches/${match.id}`, {
            json: { status: 'cooperating' }, type: 'application/merge-patch+json' });
        await call(city, 'GET', `/api/v1/matches/${match.id}/history`);
        await call(city, 'POST', `/api/v1/matches/${match.id}/project`, { json: { title: '动力电池循环寿命联合攻关' } });
        await call(city, 'GET', `/api/v1/demands/${d1.id}/history`);
        await call(city, 'POST', `/api/v1/demands/${d1.id}/close`, { json: { reason: '已与专家达成合作意向' } });
        d2 = await newDemand('高速电机散热');
        await call(company, 'POST', `/api/v1/demands/${d2.id}/withdraw`, { json: { reason: '暂缓' } });
        await call(city, 'POST', `/api/v1/demands/${d2.id}/archive`);
        await call(city, 'POST', `/api/v1/demands/${d2.id}/restore`);
    });
    await section('Thesaurus', async () => {
        term = (
            await call(admin, 'POST', '/api/v1/thesaurus', { json: { terms: ['契约测试', '合同测试'], note: '契约测试' }, need: true })
        ).json;
        await call(admin, 'GET', '/api/v1/thesaurus');
        await call(admin, 'GET', `/api/v1/thesaurus/${term.id}`);
        await call(admin, 'DELETE', `/api/v1/thesaurus/${term.id}`);

    });
    await section('Projects: the whole workflow and the members', async () => {
        const newProject = async (title) =>
            (
                await call(city, 'POST', '/api/v1/projects', {
                    json: { title, kind: 'industry_university', lead_enterprise_id: myEnterprise, start_date: '2026-01-01',
                        end_date: '2027-12-31', funding: 120.5, keywords: ['锂电池', '正极材料'] },
                    need: true,
                })
            ).json;
        p1 = await newProject('锂电池正极材料联合攻关');
        await call(city, 'GET', '/api/v1/projects?limit=5');
        await call(city, 'GET', `/api/v1/projects/${p1.id}`);
        await call(city, 'PATCH', `/api/v1/projects/${p1.id}`, { json: { outcome_patents: 3, outcome_revenue: 150 } });
        await call(city, 'POST', `/api/v1/projects/${p1.id}/members`, { json: { expert_id: expert.id, role: 'lead' } });
        await call(city, 'GET', `/api/v1/projects/${p1.id}/members`);
        await call(city, 'DELETE', `/api/v1/projects/${p1.id}/members/${expert.id}`);
        await call(city, 'POST', `/api/v1/projects/${p1.id}/approve`, { json: { reason: '专家评审通过' } });
        await call(city, 'POST', `/api/v1/projects/${p1.id}/start`, { json: {} });
        await call(city, 'POST', `/api/v1/projects/${p1.id}/conclude`, { json: {} });
        await call(city, 'POST', `/api/v1/projects/${p1.id}/accept`, { json: { reason: '验收通过' } });
        await call(city, 'GET', `/api/v1/projects/${p1.id}/history`);
        p2 = await newProject('高速电机散热');
        await call(city, 'POST', `/api/v1/projects/${p2.id}/approve`, { json: {} });
        await call(city, 'POST', `/api/v1/projects/${p2.id}/return`, { json: { reason: '预算材料不全，请补充后重新申报' } });
        await call(city, 'POST', `/api/v1/projects/${p2.id}/archive`);
        await call(city, 'POST', `/api/v1/projects/${p2.id}/restore`);
    });
    await section('Service groups and activities', async () => {
        group = (
            await call(city, 'POST', '/api/v1/service-groups', {
                json: { name: '契约智能制造服务群', industry_codes: [industry.code], region_codes: ['321003'] }, need: true })
        ).json;
        await call(city, 'GET', '/api/v1/service-groups');
        await call(city, 'GET', `/api/v1/service-groups/${group.id}`);
        await call(city, 'PATCH', `/api/v1/service-groups/${group.id}`, { json: { description: '新增新能源方向' } });
        member = (
            await call(city, 'POST', `/api/v1/service-groups/${group.id}/members`, {
                json: { expert_id: expert.id, role: 'leader' }, need: true })
        ).json;
        await call(city, 'GET', `/api/v1/service-groups/${group.id}/members`);
        await call(city, 'DELETE', `/api/v1/service-groups/${group.id}/members/${member.id ?? member.member_id ?? expert.id}`);
        await call(city, 'POST', `/api/v1/service-groups/${group.id}/archive`);
        await call(city, 'POST', `/api/v1/service-groups/${group.id}/restore`);
        activity = (
            await call(city, 'POST', '/api/v1/service-activities', {
                json: { kind: 'enterprise_station', title: '院士进企业建站对接', held_on: '2026-04-18',
                    expert_ids: [expert.id], enterprise_ids: [myEnterprise], academician_days: 2.5 },
                need: true,
            })
        ).json;
        await call(city, 'GET', '/api/v1/service-activities');
        await call(city, 'GET', `/api/v1/service-activities/${activity.id}`);
        await call(city, 'PATCH', `/api/v1/service-activities/${activity.id}`, {
            json: { academician_days: 3, outcome: '签订合作协议 2 项' } });
        await call(city, 'POST', `/api/v1/service-activities/${activity.id}/archive`);
        await call(city, 'POST', `/api/v1/service-activities/${activity.id}/restore`);
    });
    await section('Workstations: the station, its people, the annual report with evidence', async () => {
        ws = (
            await call(city, 'POST', '/api/v1/workstations', {
                json: { name: '契约院士工作站', host_enterprise_id: myEnterprise, level: 'city', region_code: '321003',
                    established_on: '2024-03-01', description: '契约测试' },
                need: true,
            })
        ).json;
        await call(city, 'GET', '/api/v1/workstations');
        await call(city, 'GET', `/api/v1/workstations/${ws.id}`);
        await call(city, 'PATCH', `/api/v1/workstations/${ws.id}`, { json: { description: '契约测试（改）' } });
        await call(city, 'POST', `/api/v1/workstations/${ws.id}/status`, { json: { status: 'running', reason: '挂牌' } });
        await call(city, 'GET', `/api/v1/workstations/${ws.id}/history`);
        await call(city, 'POST', `/api/v1/workstations/${ws.id}/academicians`, {
            json: { expert_id: academician.id, start_on: '2024-03-01' } });
        await call(city, 'GET', `/api/v1/workstations/${ws.id}/academicians`);
        await call(city, 'POST', `/api/v1/workstations/${ws.id}/team`, { json: { expert_id: expert.id, role: 'lead' } });
        await call(city, 'GET', `/api/v1/workstations/${ws.id}/team`);
        const report = `/api/v1/workstations/${ws.id}/reports/${YEAR}`;
        await call(company, 'PUT', report, {
            json: { academician_days: 12, joint_projects_new: 1, patents_applied: 4, patents_granted: 2,
                invention_patents_granted: 1, papers: 3, summary: '全年在站' },
            want: [200, 201] });
        await call(company, 'GET', report);
        await call(company, 'GET', `/api/v1/workstations/${ws.id}/reports`);
        evidence = (
            await call(company, 'POST', `${report}/evidence?filename=${encodeURIComponent('证明.pdf')}`, {
                raw: PDF, type: 'application/pdf', need: true })
        ).json;
        await call(company, 'GET', `${report}/evidence`);
        await call(company, 'GET', `${report}/evidence/${evidence.id}`);
        await call(company, 'DELETE', `${report}/evidence/${evidence.id}`);
        await call(company, 'POST', `${report}/submit`, { json: {} });
        await call(city, 'POST', `${report}/return`, { json: { reason: '专利数据请附证明' } });
        await call(company, 'POST', `${report}/submit`, { json: {} });
        await call(city, 'POST', `${report}/accept`, { json: {} });
        await call(city, 'GET', `${report}/history`);
        await call(city, 'GET', '/api/v1/workstations/export');
        await call(city, 'GET', `/api/v1/workstations/reports/${YEAR}/export`);

    });
    await section('Assessment of the year: rubric, checklist, run, results, panels, export', async () => {
        const rubric = (await call(city, 'GET', `/api/v1/assessments/${YEAR}/rubric`, need)).json.rubric;
        await call(admin, 'PUT', `/api/v1/assessments/${YEAR}/rubric`, { json: { ...rubric, exemplar_limit: 2 } });
        const leafKeys = [];
        (function walk(items) {
            for (const it of items ?? []) {
                if (it.children?.length) walk(it.children);
                else if (it.rule?.kind === 'checklist') leafKeys.push(it);
            }
        })(rubric.items);
        scores = Object.fromEntries(leafKeys.map(it => [it.key, it.points ?? 0]));
        await call(city, 'PUT', `/api/v1/assessments/${YEAR}/checklist/${ws.id}`, { json: { scores } });
        await call(city, 'POST', `/api/v1/assessments/${YEAR}/run`);
        await call(city, 'GET', `/api/v1/assessments/${YEAR}/results`);
        await call(city, 'PATCH', `/api/v1/assessments/${YEAR}/results/${ws.id}`, { json: { score: 88, reason: '现场考察加分' } });
        panel = (
            await call(city, 'POST', `/api/v1/assessments/${YEAR}/panels`, {
                json: { workstation_ids: [ws.id], size: 1, seed: 7, name: '契约评审组' }, need: true })
        ).json;
        await call(city, 'GET', `/api/v1/assessments/${YEAR}/panels`);
        const panelFull = (await call(city, 'GET', `/api/v1/assessments/${YEAR}/panels/${panel.id}`, need)).json;
        // Only experts with an account are drawn (the demo gives a dozen reviewers one): the
        // admin resets the drawn reviewer's password, and the reviewer signs in with it.
        const reviewer = (panelFull.members ?? panelFull.reviewers ?? [])[0];
        if (!reviewer) throw new Error('the panel has no reviewer');
        const accounts = (await call(admin, 'GET', '/api/v1/users?role=expert&limit=200', need)).json.items;
        const account = accounts.find(u => u.expert_id === reviewer.expert_id);
        if (!account) throw new Error('the drawn reviewer has no account');
        const held = await call(admin, 'GET', `/api/v1/users/${account.id}`, need);
        await call(admin, 'PATCH', `/api/v1/users/${account.id}`, {
            json: { password: 'Contract-pass-2026' },
            headers: { 'if-match': held.headers.get('etag') ?? '*' }, need: true });
        const rev = await login(account.username, 'Contract-pass-2026');
        await call(rev, 'POST', `/api/v1/assessments/${YEAR}/panels/${panel.id}/confirmation`, { json: { decision: 'confirm' } });
        await call(rev, 'GET', `/api/v1/assessments/${YEAR}/panels/${panel.id}/stations`);
        await call(rev, 'PUT', `/api/v1/assessments/${YEAR}/panels/${panel.id}/scores/${ws.id}`, { json: { scores } });
        await call(city, 'POST', `/api/v1/assessments/${YEAR}/publish`);
        await call(city, 'GET', `/api/v1/assessments/${YEAR}/export`);
        await call(city, 'GET', `/api/v1/stats/${YEAR}`);

    });
    await section("The station's people leave, the station is archived and restored", async () => {
        // The station's people leave, the station is archived and restored.
        await call(city, 'DELETE', `/api/v1/workstations/${ws.id}/team/${expert.id}`);
        await call(city, 'DELETE', `/api/v1/workstations/${ws.id}/academicians/${academician.id}`);
        await call(city, 'POST', `/api/v1/workstations/${ws.id}/archive`);
        await call(city, 'POST', `/api/v1/workstations/${ws.id}/restore`);
    });
    await section('Imports: the templates and a CSV made from one', async () => {
        await call(city, 'GET', '/api/v1/imports/experts/template.xlsx');
        const tpl = await call(city, 'GET', '/api/v1/imports/experts/template.csv', need);
        const header = tpl.body.toString('utf8').split(/\r?\n/)[0];
        await call(city, 'POST', '/api/v1/imports/experts?dry_run=true', {
            raw: `${header}\r\n`, type: 'text/csv', want: [200, 201, 422] });

    });
    await section('The audit log of all this, and signing out', async () => {
        await call(admin, 'GET', '/api/v1/audit-log?limit=20');
        await call(county, 'POST', '/api/v1/auth/logout', { want: [204, 200] });
    });
}
