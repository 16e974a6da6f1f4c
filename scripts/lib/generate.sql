-- Generates a realistic library for demos and benchmarks: experts and academicians across the
-- city's leading industries, enterprises in every district, demands in every state with their
-- history, projects with members and outcomes, a service group with its activities.
-- psql variables (all optional): experts, academicians, enterprises, demands, projects, seed.
--   psql -v experts=300 -v enterprises=60 -f scripts/lib/generate.sql
-- Deterministic for a given seed. Search terms are filled afterwards by `sikud reindex`.
\set ON_ERROR_STOP 1
\if :{?experts} \else \set experts 300 \endif
\if :{?academicians} \else \set academicians 40 \endif
\if :{?enterprises} \else \set enterprises 80 \endif
\if :{?demands} \else \set demands 160 \endif
\if :{?projects} \else \set projects 40 \endif
\if :{?seed} \else \set seed 0.2026 \endif

BEGIN;
SELECT set_config('siku.role', 'cli', true), set_config('siku.action', 'generate', true),
       set_config('siku.route', 'scripts/lib/generate.sql', true);
SELECT setseed(:seed);

-- The fields of work: tag, industries, disciplines, keywords, research fields, demand titles.
CREATE TEMP TABLE domains (
    id int PRIMARY KEY, tag text, industries text[], disciplines text[], keywords text[],
    fields text[], demands text[], affiliations text[]) ON COMMIT DROP;
INSERT INTO domains VALUES
(1, 'Z01', '{C34,C35,C40}', '{460,413,510}',
 '{工业机器人,数控机床,机器视觉,智能传感器,数字孪生,工业互联网,精密加工,故障诊断,伺服控制,智能产线}',
 '{工业机器人运动控制与路径规划,数控机床热误差补偿技术,基于机器视觉的表面缺陷检测,设备故障诊断与预测性维护,数字孪生工厂建模与仿真,伺服驱动系统高精度控制}',
 '{焊接机器人视觉引导精度提升,生产线设备故障预测系统开发,数控加工中心热变形补偿,智能仓储AGV调度优化,装配线机器视觉质检改造}',
 '{扬州大学机械工程学院,东南大学机械工程学院,南京航空航天大学机电学院,江苏大学机械工程学院,江苏省产业技术研究院智能制造技术研究所}'),
(2, 'Z02', '{C39,C38}', '{510,430,140}',
 '{集成电路设计,芯片封装,半导体材料,功率器件,MEMS传感器,射频芯片,晶圆制造,碳化硅}',
 '{模拟集成电路与射频芯片设计,先进封装与系统级封装技术,碳化硅功率器件制备工艺,MEMS传感器设计与微加工,半导体薄膜材料外延生长}',
 '{车规级功率模块封装散热改进,MEMS压力传感器温漂补偿,射频前端芯片国产化替代,晶圆减薄工艺良率提升,功率半导体器件可靠性测试}',
 '{东南大学微电子学院,南京大学电子科学与工程学院,中国科学院苏州纳米技术与纳米仿生研究所,扬州大学信息工程学院}'),
(3, 'Z03', '{C36,C38}', '{470,480,580}',
 '{锂离子电池,动力电池,电池管理系统,电机控制,氢燃料电池,充电桩,固态电池,正极材料,整车轻量化}',
 '{锂离子电池正极材料改性研究,动力电池管理系统与热管理,永磁同步电机控制算法,氢燃料电池电堆设计与集成,新能源汽车整车轻量化设计,固态电解质界面调控}',
 '{动力电池包热失控预警,锂电池正极材料循环寿命提升,电动汽车电机控制器效率优化,快充桩充电模块散热设计,电池回收梯次利用方案}',
 '{南京理工大学能源与动力工程学院,江苏大学汽车与交通工程学院,东南大学能源与环境学院,扬州大学电气与能源动力工程学院}'),
(4, 'Z04', '{C27,C35}', '{350,180,310,360}',
 '{抗体药物,基因检测,中药现代化,医疗器械,疫苗,生物发酵,药物制剂,细胞治疗}',
 '{单克隆抗体药物研发,基因测序与精准诊断,中药有效成分提取与质量控制,缓控释药物制剂技术,微生物发酵工艺优化,细胞治疗产品质量控制}',
 '{中药提取物质量标准提升,体外诊断试剂灵敏度改进,原料药发酵收率提升,医用导管材料生物相容性改进,仿制药一致性评价技术服务}',
 '{中国药科大学药学院,扬州大学医学院,南京中医药大学药学院,江南大学生物工程学院}'),
(5, 'Z05', '{I65,I64}', '{520,413,120}',
 '{人工智能,大数据,云计算,网络安全,物联网,区块链,自然语言处理,计算机视觉}',
 '{深度学习与计算机视觉,大数据分析与数据挖掘,工业物联网平台架构,网络安全与可信计算,自然语言处理与知识图谱,边缘计算与云边协同}',
 '{企业数据中台建设,基于人工智能的产品质检系统,工业设备物联网平台搭建,生产数据安全防护方案,智能客服知识图谱构建}',
 '{南京大学计算机科学与技术系,东南大学计算机科学与工程学院,扬州大学信息工程学院,河海大学计算机与信息学院}'),
(6, NULL, '{C37,C26,C30}', '{430,530,580}',
 '{高分子材料,复合材料,防腐涂层,船舶设计,焊接工艺,纳米材料,海洋工程装备}',
 '{高性能复合材料成型工艺,船舶结构优化设计,海洋防腐涂层技术,纳米功能材料制备,大型结构件焊接变形控制}',
 '{船用复合材料轻量化设计,海工装备防腐涂层寿命提升,化工过程节能改造,大型构件焊接变形控制}',
 '{江苏科技大学船舶与海洋工程学院,南京工业大学材料科学与工程学院,扬州大学化学化工学院,中国船舶集团第七二三研究所}');


CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;
CREATE FUNCTION pg_temp.some(a text[], n int) RETURNS text[] LANGUAGE sql VOLATILE AS
$$ SELECT ARRAY(SELECT DISTINCT x FROM (SELECT pg_temp.pick(a) AS x FROM generate_series(1, n)) s) $$;
-- An enterprise's field of work: 1 + g % 6 for the g-th generated enterprise, whose number
-- the credit code carries (characters 11-17), since ids follow the insert's row order, not g.
CREATE FUNCTION pg_temp.enterprise_domain(credit_code text) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT 1 + substr(credit_code, 11, 7)::int % 6 $$;
CREATE FUNCTION pg_temp.person() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT pg_temp.pick('{王,李,张,刘,陈,杨,黄,赵,吴,周,徐,孙,马,朱,胡,郭,何,高,林,罗,郑,梁,谢,宋,唐,许,韩,冯,邓,曹,彭,曾,肖,田,董,袁,潘,于,蒋,蔡}')
        || pg_temp.pick('{伟,芳,娜,敏,静,强,磊,军,洋,勇,艳,杰,涛,明,超,秀英,华,平,刚,建国,志强,海燕,晓东,文博,子涵,雨轩,浩然,思远,佳怡,立新,国庆,红梅,玉兰,振华,永刚,晓明,丽娟,春生,德明,学军}')
$$;
CREATE FUNCTION pg_temp.mobile() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT pg_temp.pick('{138,139,150,151,152,158,159,186,187,188,177,133}')
       || lpad((floor(random() * 100000000))::bigint::text, 8, '0') $$;
-- GB 32100 check character, so that generated credit codes are valid.
CREATE FUNCTION pg_temp.credit(first17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT first17 || substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
        ((31 - (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, i, 1)) - 1)
                           * (ARRAY[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28])[i])
                FROM generate_series(1, 17) i)::int % 31) % 31) + 1, 1)
$$;
CREATE FUNCTION pg_temp.id_number(region text, birth int) RETURNS text LANGUAGE sql VOLATILE AS $$
    WITH b AS (SELECT region || birth::text || lpad((1 + floor(random() * 12))::int::text, 2, '0')
                      || lpad((1 + floor(random() * 28))::int::text, 2, '0')
                      || lpad(floor(random() * 1000)::int::text, 3, '0') AS s17)
    SELECT s17 || substr('10X98765432', (SELECT sum(substr(s17, i, 1)::int
        * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) FROM generate_series(1, 17) i)::int % 11 + 1, 1)
    FROM b
$$;

CREATE TEMP TABLE county (i serial, code text) ON COMMIT DROP;
INSERT INTO county (code) VALUES ('321002'), ('321003'), ('321012'), ('321023'), ('321081'),
    ('321084'), ('321071'), ('321091'), ('321092');

-- The thesaurus staff start from: synonyms and the everyday words for the city's fields
-- (words are filled by `sikud reindex`, which segments each term).
CREATE TEMP TABLE seed_synonyms (n int, terms text[]) ON COMMIT DROP;
INSERT INTO seed_synonyms VALUES
    (1, '{锂电池,锂离子电池,动力电池}'), (2, '{芯片,集成电路}'), (3, '{新能源汽车,电动汽车,电动车}'),
    (4, '{光伏,太阳能电池,光伏组件}'), (5, '{机器人,工业机器人}'), (6, '{污水处理,废水处理,水处理}'),
    (7, '{储能,储能系统,削峰填谷}'), (8, '{人工智能,AI,机器学习}'), (9, '{大模型,大语言模型}'),
    (10, '{噪音,噪声,振动噪声}'), (11, '{保鲜,货架期,防腐}'), (12, '{数控机床,加工中心}');
WITH g AS (
    INSERT INTO thesaurus_groups (note)
    SELECT '常用同义词 ' || n FROM seed_synonyms ORDER BY n RETURNING id, note)
INSERT INTO thesaurus_terms (group_id, term, words)
SELECT g.id, t, ARRAY[t] FROM g JOIN seed_synonyms s ON g.note = '常用同义词 ' || s.n,
    unnest(s.terms) t;

-- Experts.
INSERT INTO experts (kind, name, gender, birth_year, title, position, affiliation, affiliation_kind,
    region_code, discipline_codes, industry_codes, research_fields, keywords, achievements,
    service_modes, phone, email, id_number, address, consent, consent_at, available, created_at,
    updated_at)
SELECT 'expert', p.name, p.gender, p.birth, p.title,
       CASE p.title WHEN 'senior' THEN pg_temp.pick('{教授,研究员,正高级工程师,教授、博士生导师}')
                    WHEN 'associate_senior' THEN pg_temp.pick('{副教授,副研究员,高级工程师}')
                    ELSE pg_temp.pick('{讲师,工程师,助理研究员}') END,
       p.affiliation, p.kind, p.region,
       pg_temp.some(d.disciplines, 2),
       pg_temp.some(d.industries, 2) || CASE WHEN d.tag IS NULL THEN '{}'::text[] ELSE ARRAY[d.tag] END,
       array_to_string(pg_temp.some(d.fields, 2), '；'),
       pg_temp.some(d.keywords, 4),
       '主持' || pg_temp.pick('{国家自然科学基金项目,省重点研发计划项目,企业委托横向课题,国家重点研发计划课题}')
           || '，发表论文' || (5 + floor(random() * 60))::int || '篇，授权发明专利'
           || (1 + floor(random() * 20))::int || '项',
       pg_temp.some('{transfer,commissioned,joint,training,consulting}', 3),
       pg_temp.mobile(), 'e' || g || '@' || pg_temp.pick('{yzu.edu.cn,seu.edu.cn,nju.edu.cn,ujs.edu.cn,163.com}'),
       pg_temp.id_number(p.region, p.birth),
       '江苏省扬州市' || pg_temp.pick('{文昌西路,扬子江北路,运河南路,江阳中路,大学南路}')
           || (1 + floor(random() * 300))::int || '号',
       random() < 0.85, c.at, random() < 0.9, c.at, c.at
FROM generate_series(1, :experts) g
JOIN domains d ON d.id = 1 + (g % 6)
-- brought into the library over the last six years, so that each year's figures have some
CROSS JOIN LATERAL (SELECT now() - ((g * 7919 % 2300) || ' days')::interval AS at) c
CROSS JOIN LATERAL (SELECT pg_temp.person() AS name,
                           CASE WHEN random() < 0.7 THEN 'male' ELSE 'female' END AS gender,
                           1955 + floor(random() * 40)::int AS birth,
                           pg_temp.pick('{senior,senior,associate_senior,associate_senior,intermediate}') AS title,
                           CASE WHEN random() < 0.75 THEN pg_temp.pick(d.affiliations)
                                ELSE '扬州' || pg_temp.pick('{恒润,亚威,晶澳,扬杰,天能}') || '科技股份有限公司' END AS affiliation,
                           pg_temp.pick('{321002,321003,321012,321023,321081,321084,321071,321091,321092}') AS region,
                           NULL::text AS kind) p0
CROSS JOIN LATERAL (SELECT p0.name, p0.gender, p0.birth, p0.title, p0.affiliation, p0.region,
                           CASE WHEN p0.affiliation LIKE '%研究院%' OR p0.affiliation LIKE '%研究所%' THEN 'institute'
                                WHEN p0.affiliation LIKE '%大学%' OR p0.affiliation LIKE '%学院%' THEN 'university'
                                ELSE 'enterprise' END AS kind) p;

-- Academicians (most live elsewhere: no region; ties to the city noted).
INSERT INTO experts (kind, name, gender, birth_year, title, position, affiliation, affiliation_kind,
    region_code, discipline_codes, industry_codes, research_fields, keywords, achievements,
    service_modes, phone, email, address, consent, consent_at, available, academy, division,
    election_year, city_ties, ties_note, created_at, updated_at)
SELECT 'academician', pg_temp.person(), CASE WHEN random() < 0.9 THEN 'male' ELSE 'female' END,
       1938 + floor(random() * 30)::int, 'senior', '院士、教授',
       pg_temp.pick('{清华大学,浙江大学,上海交通大学,东南大学,南京大学,中国科学院大学,哈尔滨工业大学,西安交通大学}'),
       'university', CASE WHEN random() < 0.2 THEN '321002' END,
       pg_temp.some(d.disciplines, 2),
       pg_temp.some(d.industries, 1) || CASE WHEN d.tag IS NULL THEN '{}'::text[] ELSE ARRAY[d.tag] END,
       array_to_string(pg_temp.some(d.fields, 2), '；'), pg_temp.some(d.keywords, 4),
       '长期从事' || pg_temp.pick(d.fields) || '研究，获国家科学技术进步奖' || pg_temp.pick('{一等奖,二等奖}'),
       pg_temp.some('{transfer,commissioned,joint,training,consulting}', 3),
       pg_temp.mobile(), 'a' || g || '@' || pg_temp.pick('{cae.cn,cas.cn,tsinghua.edu.cn,zju.edu.cn}'),
       '北京市海淀区' || pg_temp.pick('{学院路,中关村大街,清华园}') || (1 + floor(random() * 100))::int || '号',
       random() < 0.9, c.at, true,
       a.academy,
       CASE a.academy WHEN 'CAS' THEN pg_temp.pick('{技术科学部,信息技术科学部,化学部,生命科学和医学学部}')
                      ELSE pg_temp.pick('{机械与运载工程学部,信息与电子工程学部,化工、冶金与材料工程学部,医药卫生学部,能源与矿业工程学部}') END,
       CASE a.academy WHEN 'CAS' THEN 1991 + floor(random() * 33)::int
                      ELSE 1995 + floor(random() * 29)::int END,
       pg_temp.some('{native,work,cooperation}', 2),
       pg_temp.pick('{扬州籍,曾在扬州工作,与扬州企业长期合作,在扬州设立院士工作站}'), c.at, c.at
FROM generate_series(1, :academicians) g
JOIN domains d ON d.id = 1 + (g % 6)
CROSS JOIN LATERAL (SELECT now() - ((g * 6007 % 2300) || ' days')::interval AS at) c
-- Per row (g): a LATERAL subquery that names no outer column is evaluated once for all rows.
CROSS JOIN LATERAL (SELECT CASE WHEN g * 7919 % 5 < 3 THEN 'CAE' ELSE 'CAS' END AS academy) a;

-- Enterprises in every district and zone.
INSERT INTO enterprises (name, credit_code, region_code, industry_code, size, high_tech, address,
    contact_name, contact_phone, description)
SELECT '扬州' || pg_temp.pick('{华宇,联创,恒信,鼎泰,瑞达,中科,金陵,运河,广陵,润扬,新盛,博远,凯特,海川,天成}')
           || pg_temp.pick(CASE d.id WHEN 1 THEN '{智能装备,精密机械,机器人,数控科技}'::text[]
                                    WHEN 2 THEN '{微电子,半导体,芯源科技,电子科技}'::text[]
                                    WHEN 3 THEN '{新能源,动力科技,电池科技,汽车零部件}'::text[]
                                    WHEN 4 THEN '{生物医药,药业,医疗器械,生物科技}'::text[]
                                    WHEN 5 THEN '{软件,信息技术,数据科技,智能科技}'::text[]
                                    ELSE '{新材料,船舶工程,化工科技,海洋装备}'::text[] END)
           || '有限公司',
       pg_temp.credit('91' || c.code || 'MA' || lpad(g::text, 7, '0')),
       c.code, pg_temp.pick(d.industries),
       pg_temp.pick('{large,medium,medium,small,small,micro}'), random() < 0.4,
       '江苏省扬州市' || pg_temp.pick('{开发区,邗江区,广陵区,江都区}') || pg_temp.pick('{创业路,吴州东路,文汇东路,龙川北路}') || g || '号',
       pg_temp.person(), pg_temp.mobile(),
       '主要从事' || pg_temp.pick(d.fields) || '相关产品的研发、生产与销售'
FROM generate_series(1, :enterprises) g
JOIN domains d ON d.id = 1 + (g % 6)
JOIN county c ON c.i = 1 + (g % 9);

-- Demands in every state, with the transitions that brought them there.
CREATE TEMP TABLE demand_seed ON COMMIT DROP AS
SELECT g, e.id AS enterprise_id, e.region_code, d.id AS domain,
       (ARRAY['draft','submitted','published','matching','matched','cooperating','closed','rejected','withdrawn'])[1 + (g % 9)] AS status
FROM generate_series(1, :demands) g
JOIN LATERAL (SELECT id, region_code, industry_code, credit_code FROM enterprises ORDER BY id OFFSET (g % greatest(:enterprises, 1)) LIMIT 1) e ON true
JOIN domains d ON d.id = pg_temp.enterprise_domain(e.credit_code);

INSERT INTO demands (enterprise_id, title, description, kind, service_modes, industry_code,
    discipline_codes, keywords, budget_min, budget_max, deadline, region_code, status,
    status_reason, published_at, created_at, updated_at)
SELECT s.enterprise_id, pg_temp.pick(d.demands),
       '企业在' || pg_temp.pick(d.fields) || '方面遇到技术瓶颈，希望与高校院所专家合作，' ||
           pg_temp.pick('{提升产品性能,降低生产成本,突破关键工艺,完成产品国产化替代,建立联合研发中心}') || '。',
       pg_temp.pick('{technical_problem,technical_problem,joint_rnd,transfer,talent,equipment}'),
       pg_temp.some('{transfer,commissioned,joint,training,consulting}', 2),
       pg_temp.pick(d.industries), pg_temp.some(d.disciplines, 1), pg_temp.some(d.keywords, 3),
       b.lo, b.lo + (10 + floor(random() * 200))::int,
       (current_date + (30 + floor(random() * 300))::int), s.region_code, s.status,
       CASE s.status WHEN 'rejected' THEN '需求描述不够具体，请补充技术指标后重新提交' END,
       CASE WHEN s.status IN ('published','matching','matched','cooperating','closed')
            THEN least(c.at + interval '3 hours', now()) END,
       c.at, c.at
FROM demand_seed s JOIN domains d ON d.id = s.domain
CROSS JOIN LATERAL (SELECT (5 + floor(random() * 50))::int + 0 * s.g AS lo) b -- per row: names s
-- posted over the last fourteen months
CROSS JOIN LATERAL (SELECT now() - ((s.g * 37 % 420) || ' days')::interval AS at) c;

INSERT INTO demand_transitions (demand_id, from_status, to_status, action, reason, role, at)
SELECT d.id, step.from_status, step.to_status, step.action, step.reason, step.role,
       d.created_at + (step.n || ' hours')::interval
FROM demands d
CROSS JOIN LATERAL (VALUES
    (1, NULL, 'draft', 'create', NULL, 'enterprise'),
    (2, 'draft', 'submitted', 'submit', NULL, 'enterprise'),
    (3, 'submitted', 'published', 'publish', NULL, 'city_staff'),
    (4, 'published', 'matching', 'start_matching', NULL, 'city_staff'),
    (5, 'matching', 'matched', 'mark_matched', NULL, 'city_staff'),
    (6, 'matched', 'cooperating', 'start_cooperation', NULL, 'city_staff'),
    (7, 'cooperating', 'closed', 'close', '合作完成', 'city_staff'),
    (3, 'submitted', 'rejected', 'reject', '需求描述不够具体，请补充技术指标后重新提交', 'city_staff'),
    (3, 'submitted', 'withdrawn', 'withdraw', '企业调整研发计划', 'enterprise')
) AS step(n, from_status, to_status, action, reason, role)
WHERE (d.status IN ('draft','submitted','published','matching','matched','cooperating','closed')
       AND step.to_status IN ('draft','submitted','published','matching','matched','cooperating','closed')
       AND step.n <= array_position(ARRAY['draft','submitted','published','matching','matched','cooperating','closed'], d.status))
   OR (d.status = 'rejected' AND step.to_status IN ('draft','submitted','rejected'))
   OR (d.status = 'withdrawn' AND step.to_status IN ('draft','submitted','withdrawn'));

-- Projects with members and outcomes.
INSERT INTO projects (title, summary, kind, status, start_date, end_date, funding,
    lead_enterprise_id, region_code, industry_code, keywords, outcome_patents, outcome_papers,
    outcome_products, outcome_standards, outcome_revenue)
SELECT pg_temp.pick(d.fields) || '及产业化应用', '围绕' || pg_temp.pick(d.keywords) || '开展联合攻关，形成自主知识产权。',
       pg_temp.pick('{workstation,industry_university,industry_university,transfer,soft_science}'),
       st.status, (current_date - (floor(random() * 900))::int), (current_date + (floor(random() * 700))::int),
       (20 + floor(random() * 480))::int, e.id, e.region_code, pg_temp.pick(d.industries),
       pg_temp.some(d.keywords, 3),
       floor(random() * 6)::int, floor(random() * 8)::int, floor(random() * 3)::int,
       floor(random() * 2)::int, (floor(random() * 3000))::int
FROM generate_series(1, :projects) g
JOIN LATERAL (SELECT id, region_code, credit_code FROM enterprises ORDER BY id OFFSET (g * 7 % greatest(:enterprises, 1)) LIMIT 1) e ON true
JOIN domains d ON d.id = pg_temp.enterprise_domain(e.credit_code)
CROSS JOIN LATERAL (SELECT (ARRAY['applied','approved','in_progress','in_progress','concluded','accepted'])[1 + (g % 6)] AS status) st;

INSERT INTO project_members (project_id, expert_id, role)
SELECT p.id, x.id, CASE WHEN x.rn = 1 THEN 'lead' ELSE pg_temp.pick('{member,member,advisor}') END
FROM projects p
CROSS JOIN LATERAL (SELECT id, row_number() OVER () AS rn FROM experts
                    WHERE kind = 'expert' ORDER BY (id * 7919 + p.id * 104729) % 1000003 LIMIT 3) x;

-- The service group and its activities.
INSERT INTO service_groups (name, description, industry_codes, region_codes)
VALUES ('扬州市院士专家服务群', '由院士、专家和市县科协工作人员组成，开展“四进”服务，对接企业技术需求。',
        '{Z01,Z02,Z03,Z04,Z05}', '{321002,321003,321012,321023,321081,321084}');
INSERT INTO service_group_members (group_id, expert_id, role)
SELECT (SELECT max(id) FROM service_groups), id, CASE WHEN row_number() OVER (ORDER BY id) = 1 THEN 'leader' ELSE 'member' END
FROM experts WHERE kind = 'academician' ORDER BY id LIMIT 10;
INSERT INTO service_activities (kind, title, held_on, place, region_code, group_id, expert_ids,
    enterprise_ids, academician_days, outcome)
SELECT (ARRAY['agency_lecture','campus_science','park_guidance','enterprise_station','other'])[1 + (g % 5)],
       (ARRAY['院士专家进机关宣讲科技政策','院士进校园科普报告会','专家进园区技术指导','院士进企业建站对接','产学研合作洽谈会'])[1 + (g % 5)],
       date_trunc('year', current_date)::date - 365 + (g * 11 % 365), pg_temp.pick('{扬州市科协报告厅,扬州大学,扬州经济技术开发区,广陵产业园,邗江科技园}'),
       (ARRAY['321002','321003','321012','321023','321081','321084','321071','321091','321092'])[1 + (g % 9)],
       (SELECT max(id) FROM service_groups),
       ARRAY(SELECT id FROM experts WHERE kind = 'academician' ORDER BY (id + g) % 17 LIMIT 2),
       ARRAY(SELECT id FROM enterprises ORDER BY (id + g) % 13 LIMIT 2),
       (1 + floor(random() * 6))::numeric, '达成合作意向' || (1 + g % 4) || '项'
FROM generate_series(1, 24) g;

COMMIT;

-- ---------------------------------------------------------------------------------------
-- BEGIN workstations demo block (helper "workstations"; keep at the end of this file)
-- Eight academician workstations hosted by the first enterprises, academicians in residence,
-- the "进企业建站" activities pointed at them, and last year's annual reports: six accepted
-- (one claiming more academician days than recorded), one submitted, one missing; so that a
-- staff user can run, adjust, publish and export last year's assessment at once.
BEGIN;
INSERT INTO workstations (name, host_enterprise_id, level, region_code, industry_code,
    established_on, term_end, status, demonstration_year, description, terms, created_at,
    updated_at)
SELECT e.name || '院士工作站', e.id, CASE WHEN g % 3 = 0 THEN 'provincial' ELSE 'city' END,
       e.region_code, e.industry_code, current_date - 1200 + g * 30, current_date + 400 + g * 30,
       CASE WHEN g = 8 THEN 'planning' ELSE 'running' END,
       CASE WHEN g IN (1, 4) THEN extract(year FROM current_date)::int - 2 END,
       '依托' || e.name || '建设，开展关键技术联合攻关和人才培养。',
       jsonb_build_object('name', to_jsonb(ARRAY[e.name, '院士', '工作站'])),
       current_date - 1200 + g * 30, current_date - 1200 + g * 30
FROM generate_series(1, 8) g
JOIN LATERAL (SELECT id, name, region_code, industry_code FROM enterprises ORDER BY id
              OFFSET g - 1 LIMIT 1) e ON true;

INSERT INTO workstation_transitions (workstation_id, from_status, to_status, reason, role, at)
SELECT id, NULL, status,
       CASE status WHEN 'running' THEN '经市科协批准建站' ELSE '企业提交建站申请' END,
       'city_staff', established_on
FROM workstations;

INSERT INTO workstation_academicians (workstation_id, expert_id, start_on, note)
SELECT w.id, a.id, w.established_on, '首席院士'
FROM workstations w
JOIN LATERAL (SELECT id FROM experts WHERE kind = 'academician' ORDER BY id
              OFFSET (w.id % greatest((SELECT count(*) FROM experts WHERE kind = 'academician'), 1))
              LIMIT 1) a ON true;

INSERT INTO workstation_team (workstation_id, expert_id, role)
SELECT w.id, x.id, CASE WHEN x.rn = 1 THEN 'lead' ELSE 'member' END
FROM workstations w
CROSS JOIN LATERAL (SELECT id, row_number() OVER () AS rn FROM experts WHERE kind = 'expert'
                    ORDER BY (id * 31 + w.id * 7) % 997 LIMIT 3) x;

UPDATE service_activities a SET workstation_id = w.id
FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workstations
      WHERE status = 'running') w
WHERE a.kind = 'enterprise_station'
  AND w.rn = 1 + (a.id % (SELECT count(*) FROM workstations WHERE status = 'running'));

-- Academicians' days on site last year, as the service activities record them.
INSERT INTO service_activities (kind, title, held_on, place, region_code, workstation_id,
    expert_ids, enterprise_ids, academician_days, outcome)
SELECT 'enterprise_station', '院士进站指导研发', make_date(y.yr, (1 + (w.rn * 2 + k) % 12)::int, 10),
       w.name, w.region_code, w.id,
       ARRAY(SELECT a.expert_id FROM workstation_academicians a WHERE a.workstation_id = w.id),
       ARRAY[w.host_enterprise_id], 6 + w.rn * 3 + k * 2, '指导新产品研发'
FROM (SELECT id, name, region_code, host_enterprise_id, row_number() OVER (ORDER BY id) AS rn
      FROM workstations WHERE status = 'running') w
CROSS JOIN (SELECT extract(year FROM current_date)::int - 1 AS yr) y
CROSS JOIN generate_series(0, 2) k;

INSERT INTO workstation_reports (workstation_id, year, status, academician_days,
    joint_projects_new, joint_projects_ongoing, rd_input, patents_applied, patents_granted,
    invention_patents_granted, new_products, standards, papers, new_product_revenue,
    talents_trained, awards, summary)
SELECT w.id, y.yr, CASE WHEN w.rn = 7 THEN 'submitted' ELSE 'accepted' END,
       workstation_recorded_days(w.id, y.yr) + CASE WHEN w.rn = 3 THEN 20 ELSE 0 END,
       1 + w.rn % 3, 2 + w.rn % 4, 80 + w.rn * 65, 3 + w.rn, 1 + w.rn % 4, w.rn % 3,
       w.rn % 4, w.rn % 3, 2 + w.rn % 5, 300 + w.rn * 410, 2 + w.rn * 2, w.rn % 2,
       '本年度院士团队在站指导研发，完成合作项目' || (1 + w.rn % 3) || '项。'
FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workstations
      WHERE status = 'running') w
CROSS JOIN (SELECT extract(year FROM current_date)::int - 1 AS yr) y
WHERE w.rn <= 7;

INSERT INTO workstation_report_transitions (report_id, from_status, to_status, action, role)
SELECT id, NULL, status, 'create', 'enterprise' FROM workstation_reports;

COMMIT;
-- END workstations demo block
