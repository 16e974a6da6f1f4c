/* The import adapters of the libraries (see import_adapters.h): columns and SQL per library. */
#include "api/import_adapters.h"

#include "api/demands.h"
#include "api/enterprises.h"
#include "api/experts_resource.h"
#include "api/workstations.h"
#include "domain/codes.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- enterprises ---- */

static const struct import_label size_labels[] = {
    {"large", "大型"},     {"medium", "中型"},    {"small", "小型"},
    {"micro", "微型"},     {"large", "大型企业"}, {"medium", "中型企业"},
    {"small", "小型企业"}, {"micro", "微型企业"}, {NULL, NULL}};

#define ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A region column takes a code or a name (import_values.h), under any of these headers. */
#define REGION_ALIASES                                                                             \
    ALIASES("地区代码", "地区名称", "所在地区", "所属地区", "所在地", "区县", "所在区县",          \
            "县(市、区)", "所在县(市、区)", "县市区", "所属区县", "行政区划", "行政区划代码",      \
            "所在地区代码", "区划代码", "region")

static const struct import_column enterprise_columns[] = {
    {"name", "企业名称", ALIASES("名称", "企业", "单位名称", "公司名称", "enterprise name"), NULL},
    {"credit_code", "统一社会信用代码", ALIASES("信用代码", "社会信用代码", "credit code", "uscc"),
     NULL},
    {"region_code", "地区", REGION_ALIASES, NULL},
    {"industry_code", "行业代码", ALIASES("国民经济行业代码", "所属行业代码", "industry"), NULL},
    {"size", "企业规模", ALIASES("规模"), size_labels},
    {"high_tech", "高新技术企业", ALIASES("是否高新技术企业", "高新企业", "高企", "high tech"),
     NULL},
    {"address", "地址", ALIASES("企业地址", "通讯地址", "注册地址"), NULL},
    {"contact_name", "联系人", ALIASES("联系人姓名", "contact"), NULL},
    {"contact_phone", "联系电话", ALIASES("联系人电话", "电话", "手机", "联系方式", "phone"), NULL},
    {"description", "企业简介", ALIASES("简介", "描述", "备注"), NULL},
    {NULL, NULL, NULL, NULL},
};

static void enterprise_key(const cJSON *clean, char *out, size_t cap)
{
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "credit_code"));
    size_t i = 0;
    for (; code && code[i] && i + 1 < cap; i++)
        out[i] = (char)toupper((unsigned char)code[i]);
    out[i] = '\0';
}

/* Staged rows, and the existing records they match by credit code with the caller's right to
 * change them; rows with codes the reference tables lack are problems too. */
#define ENTERPRISE_MATCH                                                                           \
    "WITH r AS (SELECT ord, row_no, key, data AS j, terms FROM import_rows"                        \
    "           WHERE import_id = $1::bigint),"                                                    \
    " cur AS (SELECT r.ord, e.id, enterprise_can_write(e, $2::jsonb) AS w"                         \
    "         FROM r JOIN enterprises e ON e.credit_code = r.key),"                                \
    " problems AS ("                                                                               \
    "   SELECT r.row_no, r.ord, 'credit_code' AS field,"                                           \
    "     '已有此统一社会信用代码的企业属于其他地区，无权修改' AS reason" \
    "   FROM r JOIN cur USING (ord) WHERE NOT cur.w"                                               \
    "   UNION ALL SELECT r.row_no, r.ord, 'region_code', '地区代码不存在' FROM r"           \
    "   WHERE NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.j->>'region_code')"             \
    "   UNION ALL SELECT r.row_no, r.ord, 'industry_code', '行业代码不存在' FROM r"         \
    "   WHERE r.j->>'industry_code' IS NOT NULL"                                                   \
    "     AND NOT EXISTS (SELECT 1 FROM industries i WHERE i.code = r.j->>'industry_code')),"      \
    " good AS (SELECT r.* FROM r WHERE r.ord NOT IN (SELECT ord FROM problems)),"                  \
    " m AS (SELECT e.id, g.terms,"                                                                 \
    "   CASE WHEN j ? 'name' THEN j->>'name' ELSE e.name END AS name,"                             \
    "   CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE e.region_code END AS region_code," \
    "   CASE WHEN j ? 'industry_code' THEN j->>'industry_code' ELSE e.industry_code END"           \
    "     AS industry_code,"                                                                       \
    "   CASE WHEN j ? 'size' THEN j->>'size' ELSE e.size END AS size,"                             \
    "   CASE WHEN j ? 'high_tech' THEN (j->>'high_tech')::boolean ELSE e.high_tech END"            \
    "     AS high_tech,"                                                                           \
    "   CASE WHEN j ? 'address' THEN j->>'address' ELSE e.address END AS address,"                 \
    "   CASE WHEN j ? 'contact_name' THEN j->>'contact_name' ELSE e.contact_name END"              \
    "     AS contact_name,"                                                                        \
    "   CASE WHEN j ? 'contact_phone' THEN j->>'contact_phone' ELSE e.contact_phone END"           \
    "     AS contact_phone,"                                                                       \
    "   CASE WHEN j ? 'description' THEN j->>'description' ELSE e.description END"                 \
    "     AS description"                                                                          \
    "   FROM good g JOIN cur USING (ord) JOIN enterprises e ON e.id = cur.id),"                    \
    " changed AS (SELECT m.* FROM m JOIN enterprises e ON e.id = m.id"                             \
    "   WHERE (e.name, e.region_code, e.industry_code, e.size, e.high_tech, e.address,"            \
    "          e.contact_name, e.contact_phone, e.description) IS DISTINCT FROM"                   \
    "         (m.name, m.region_code, m.industry_code, m.size, m.high_tech, m.address,"            \
    "          m.contact_name, m.contact_phone, m.description)),"                                  \
    " fresh AS (SELECT g.* FROM good g WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.ord = "       \
    "g.ord)),"                                                                                     \
    " report AS (SELECT coalesce(json_agg(json_build_object('row', row_no, 'field', field,"        \
    "   'reason', reason) ORDER BY row_no, field), '[]') AS p FROM problems)"

static struct db_stmt enterprise_preview = {
    "import_enterprises_preview",
    ENTERPRISE_MATCH
    " SELECT (SELECT count(*) FROM fresh)::text, (SELECT count(*) FROM changed)::text,"
    "  ((SELECT count(*) FROM m) - (SELECT count(*) FROM changed))::text, (SELECT p FROM "
    "report)::text",
    2, 0};

static struct db_stmt enterprise_apply = {
    "import_enterprises_apply",
    ENTERPRISE_MATCH
    ","
    " go AS (SELECT $3::boolean OR NOT EXISTS (SELECT 1 FROM problems) AS ok),"
    " upd AS (UPDATE enterprises e SET name = c.name, region_code = c.region_code,"
    "   industry_code = c.industry_code, size = c.size, high_tech = c.high_tech,"
    "   address = c.address, contact_name = c.contact_name, contact_phone = c.contact_phone,"
    "   description = c.description, terms = e.terms || c.terms, updated_at = now(),"
    "   version = e.version + 1"
    "   FROM changed c, go WHERE go.ok AND e.id = c.id RETURNING e.id),"
    " ins AS (INSERT INTO enterprises (name, credit_code, region_code, industry_code, size,"
    "   high_tech, address, contact_name, contact_phone, description, terms, created_by)"
    "   SELECT j->>'name', f.key, j->>'region_code', j->>'industry_code', j->>'size',"
    "     coalesce((j->>'high_tech')::boolean, false), j->>'address', j->>'contact_name',"
    "     j->>'contact_phone', j->>'description', f.terms, ($2::jsonb->>'user_id')::bigint"
    "   FROM fresh f, go WHERE go.ok ORDER BY f.ord RETURNING id),"
    " del AS (DELETE FROM import_rows WHERE import_id = $1::bigint)"
    " SELECT (SELECT count(*) FROM ins)::text, (SELECT count(*) FROM upd)::text,"
    "  CASE WHEN (SELECT ok FROM go)"
    "   THEN (SELECT count(*) FROM m) - (SELECT count(*) FROM changed) ELSE 0 END::text,"
    "  (SELECT p FROM report)::text, (SELECT ok FROM go)::text",
    3, 0};

/* ---- experts and academicians ----
 * One table, one id space (kind tells them apart): each library is its own adapter with its own
 * columns and specs, and a row of one kind never updates a record of the other. The label
 * tables below are what staff write in their rosters; the first label of a code is its name
 * (templates and messages), the others are synonyms. */

static const struct import_label gender_labels[] = {
    {"male", "男"}, {"female", "女"}, {"male", "男性"}, {"female", "女性"}, {NULL, NULL}};

static const struct import_label title_labels[] = {
    {"senior", "正高级"},
    {"associate_senior", "副高级"},
    {"intermediate", "中级"},
    {"junior", "初级"},
    {"other", "其他"},
    {"senior", "正高"},
    {"senior", "教授"},
    {"senior", "研究员"},
    {"senior", "正高级工程师"},
    {"senior", "教授级高级工程师"},
    {"senior", "教授级高工"},
    {"senior", "主任医师"},
    {"senior", "院士"},
    {"associate_senior", "副高"},
    {"associate_senior", "副教授"},
    {"associate_senior", "副研究员"},
    {"associate_senior", "高级工程师"},
    {"associate_senior", "高工"},
    {"associate_senior", "副主任医师"},
    {"associate_senior", "高级经济师"},
    {"associate_senior", "高级会计师"},
    {"associate_senior", "高级农艺师"},
    {"intermediate", "讲师"},
    {"intermediate", "助理研究员"},
    {"intermediate", "工程师"},
    {"intermediate", "主治医师"},
    {"intermediate", "经济师"},
    {"intermediate", "会计师"},
    {"junior", "助教"},
    {"junior", "研究实习员"},
    {"junior", "助理工程师"},
    {"junior", "技术员"},
    {"other", "无"},
    {NULL, NULL},
};

static const struct import_label affiliation_kind_labels[] = {{"university", "高校"},
                                                              {"institute", "科研院所"},
                                                              {"enterprise", "企业"},
                                                              {"other", "其他"},
                                                              {"university", "高等院校"},
                                                              {"university", "大学"},
                                                              {"institute", "科研机构"},
                                                              {"institute", "研究院所"},
                                                              {"university", "高等学校"},
                                                              {"institute", "科研单位"},
                                                              {"institute", "研究院"},
                                                              {"institute", "研究所"},
                                                              {"enterprise", "公司"},
                                                              {"enterprise", "国有企业"},
                                                              {"enterprise", "民营企业"},
                                                              {"other", "医院"},
                                                              {"other", "事业单位"},
                                                              {"other", "机关"},
                                                              {NULL, NULL}};

static const struct import_label service_mode_labels[] = {
    {"transfer", "技术转让"}, {"commissioned", "委托研究"}, {"joint", "联合攻关"},
    {"training", "人才培养"}, {"consulting", "技术咨询"},   {"commissioned", "委托开发"},
    {"joint", "合作研发"},    {"consulting", "咨询"},       {NULL, NULL}};

static const struct import_label academy_labels[] = {{"CAS", "中国科学院"},
                                                     {"CAE", "中国工程院"},
                                                     {"foreign", "外籍"},
                                                     {"CAS", "中科院"},
                                                     {"CAS", "科学院"},
                                                     {"CAE", "工程院"},
                                                     {"foreign", "外籍院士"},
                                                     {"CAS", "中国科学院院士"},
                                                     {"CAE", "中国工程院院士"},
                                                     {"CAS", "中科院院士"},
                                                     {"CAE", "工程院院士"},
                                                     {"foreign", "中国科学院外籍院士"},
                                                     {"foreign", "中国工程院外籍院士"},
                                                     {NULL, NULL}};

static const struct import_label city_tie_labels[] = {
    {"native", "籍贯"}, {"work", "工作"}, {"cooperation", "合作"}, {NULL, NULL}};

static const struct import_label status_labels[] = {
    {"active", "在职"},   {"retired", "退休"},    {"deceased", "已故"},  {"active", "在岗"},
    {"deceased", "去世"}, {"retired", "离休"},    {"retired", "已退休"}, {"retired", "离退休"},
    {"deceased", "逝世"}, {"deceased", "已逝世"}, {NULL, NULL}};

#define PERSON_COLUMNS                                                                             \
    {"name", "姓名", ALIASES("专家姓名", "院士姓名", "名字"), NULL},                               \
        {"gender", "性别", NULL, gender_labels},                                                   \
        {"birth_year", "出生年份",                                                                 \
         ALIASES("出生年月", "出生年", "出生日期", "出生年月日", "出生时间", "birth year"), NULL}, \
        {"title", "职称",                                                                          \
         ALIASES("技术职称", "专业技术职称", "专业技术职务", "专业技术资格", "职称级别"),          \
         title_labels},                                                                            \
        {"position", "职务", ALIASES("行政职务", "现任职务", "担任职务", "职位"), NULL},           \
        {"affiliation", "工作单位",                                                                \
         ALIASES("单位", "所在单位", "单位名称", "现工作单位", "工作单位名称", "任职单位"), NULL}, \
        {"affiliation_kind", "单位类型", ALIASES("单位性质", "affiliation kind"),                  \
         affiliation_kind_labels},                                                                 \
        {"region_code", "地区", REGION_ALIASES, NULL},                                             \
        {"discipline_codes", "学科代码", ALIASES("学科", "学科分类代码", "所属学科代码"), NULL},   \
        {"industry_codes", "行业代码", ALIASES("国民经济行业代码", "所属行业代码"), NULL},         \
        {"research_fields", "研究方向",                                                            \
         ALIASES("研究领域", "专业领域", "专业方向", "主要研究方向", "专业特长", "技术专长",       \
                 "研究专长", "从事专业"),                                                          \
         NULL},                                                                                    \
        {"keywords", "关键词", ALIASES("关键字"), NULL},                                           \
        {"achievements", "主要成果",                                                               \
         ALIASES("成果", "代表性成果", "主要业绩", "简介", "个人简介", "人物简介", "简历",         \
                 "个人简历"),                                                                      \
         NULL},                                                                                    \
        {"service_modes", "服务方式", ALIASES("合作方式", "可提供服务方式"), service_mode_labels}, \
        {"phone", "手机",                                                                          \
         ALIASES("电话", "手机号", "手机号码", "联系电话", "联系方式", "移动电话", "联系手机",     \
                 "电话号码"),                                                                      \
         NULL},                                                                                    \
        {"email", "电子邮箱", ALIASES("邮箱", "电子邮件", "电子信箱", "e-mail"), NULL},            \
        {"id_number", "身份证号", ALIASES("身份证号码", "身份证", "证件号码", "id number"), NULL}, \
        {"address", "通讯地址", ALIASES("地址", "联系地址", "通信地址", "邮寄地址"), NULL},        \
        {"consent", "同意推荐", ALIASES("是否同意推荐"), NULL},                                    \
    {                                                                                              \
        "available", "可提供服务", ALIASES("是否可提供服务"), NULL                                 \
    }

static const struct import_column expert_columns[] = {
    PERSON_COLUMNS,
    {NULL, NULL, NULL, NULL},
};

static const struct import_column academician_columns[] = {
    PERSON_COLUMNS,
    {"academy", "院别", ALIASES("院士类别", "当选院别"), academy_labels},
    {"division", "学部", ALIASES("所在学部", "所属学部", "学部名称"), NULL},
    {"election_year", "当选年份",
     ALIASES("当选时间", "当选年", "当选年度", "当选院士时间", "当选院士年份"), NULL},
    {"city_ties", "与本市关系", ALIASES("与本市渊源", "关系类型"), city_tie_labels},
    {"ties_note", "关系说明", ALIASES("渊源说明", "关系备注"), NULL},
    {"status", "状态", ALIASES("在职状态"), status_labels},
    {NULL, NULL, NULL, NULL},
};

/* Feeds s, folded as import_fold() does, to two FNV-1a hashes (only its digits when
 * digits_only; without a leading +86 when it is a phone). */
static void hash_text(unsigned long long h[2], const char *s, bool digits_only)
{
    char *folded = import_fold(s);
    const char *p = folded;
    if (digits_only && strncmp(p, "+86", 3) == 0)
        p += 3;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (digits_only && !isdigit(c))
            continue;
        h[0] = (h[0] ^ c) * 1099511628211ull;
        h[1] = (h[1] ^ c) * 1099511628211ull;
    }
    free(folded);
    h[0] = (h[0] ^ '|') * 1099511628211ull;
    h[1] = (h[1] ^ '|') * 1099511628211ull;
}

/* The ID number when the row has one; otherwise name + affiliation + phone, folded as
 * expert_person_key() does in SQL (migrations/0025_import_demands_workstations.sql), hashed
 * to fit. */
static void person_key(const cJSON *clean, char *out, size_t cap)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "id_number"));
    if (id && *id) {
        size_t o = (size_t)snprintf(out, cap, "i:");
        for (size_t i = 0; id[i] && o + 1 < cap; i++)
            out[o++] = (char)toupper((unsigned char)id[i]);
        out[o < cap ? o : cap - 1] = '\0';
        return;
    }
    unsigned long long h[2] = {1469598103934665603ull, 14695981039346656037ull};
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "name")), false);
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "affiliation")),
              false);
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "phone")), true);
    snprintf(out, cap, "p:%016llx%016llx", h[0], h[1]);
}

/* Staged rows and the records they are: by ID number (a record of the other kind is a
 * problem), else by name + affiliation + phone among records of this kind (one with an ID
 * number only when the row has none). Then every rule the row alone cannot check: codes in
 * the reference tables, the caller's right to change the record, and the years (no birth in
 * the future; an election after the academy existed and at 25 or older). */
#define M_TEXT(c) " CASE WHEN j ? '" c "' THEN j->>'" c "' ELSE e." c " END AS " c ","
#define M_INT(c)  " CASE WHEN j ? '" c "' THEN (j->>'" c "')::int ELSE e." c " END AS " c ","
#define M_BOOL(c) " CASE WHEN j ? '" c "' THEN (j->>'" c "')::boolean ELSE e." c " END AS " c ","
#define M_ARRAY(c)                                                                                 \
    " CASE WHEN j ? '" c "' THEN jsonb_text_array(j->'" c "') ELSE e." c " END AS " c ","
#define PERSON_COLS                                                                                \
    "name, gender, birth_year, title, position, affiliation, affiliation_kind, region_code,"       \
    " discipline_codes, industry_codes, research_fields, keywords, achievements, service_modes,"   \
    " phone, email, id_number, address, consent, available, academy, division, election_year,"     \
    " city_ties, ties_note, status"
#define PERSON_COLS_OF(t)                                                                          \
    t "name, " t "gender, " t "birth_year, " t "title, " t "position, " t "affiliation, " t        \
      "affiliation_kind, " t "region_code, " t "discipline_codes, " t "industry_codes, " t         \
      "research_fields, " t "keywords, " t "achievements, " t "service_modes, " t "phone, " t      \
      "email, " t "id_number, " t "address, " t "consent, " t "available, " t "academy, " t        \
      "division, " t "election_year, " t "city_ties, " t "ties_note, " t "status"
#define CODES_PROBLEM(field, table, label)                                                         \
    "   UNION ALL SELECT r.row_no, r.ord, '" field "', '" label "“' || string_agg(c, '、') || " \
    "'”不存在'"                                                                               \
    "   FROM r, jsonb_array_elements_text(r.j->'" field "') c"                                     \
    "   WHERE NOT EXISTS (SELECT 1 FROM " table " x WHERE x.code = c) GROUP BY r.row_no, r.ord"

// clang-format off
/* The audit rows of the inserted records, written set-wise (siku.bulk = 'import' keeps the row
 * trigger aside, migrations/0031_import_speed.sql): the image audit_row('terms', 'search')
 * makes, to_jsonb(NEW) less the terms and the vector, built from the columns (the vector's text
 * form was most of to_jsonb's cost). tests/integration/test_imports.c compares the two. The
 * request's context (who, which route) is read once, not six settings a row. */
#define PERSON_IMAGE_COLS                                                                          \
    "id, kind, " PERSON_COLS ", consent_at, created_by, created_at, updated_at, version,"         \
    " archived_at, archived_by, discipline_roots"
#define PERSON_IMAGE_PAIR(c) "'" c "', i." c
#define PERSON_INSERT_AUDIT                                                                        \
    " ctx AS MATERIALIZED (SELECT siku_setting('siku.user_id')::bigint AS user_id,"              \
    "   siku_setting('siku.role') AS role, coalesce(siku_setting('siku.action'), 'insert') AS a,"  \
    "   siku_setting('siku.route') AS route, siku_setting('siku.request_id') AS request_id,"       \
    "   siku_setting('siku.client') AS client),"                                                   \
    " aud AS (INSERT INTO audit_log (user_id, role, action, route, request_id, client_addr,"       \
    "   record_type, record_id, before, after)"                                                    \
    "   SELECT ctx.user_id, ctx.role, ctx.a, ctx.route, ctx.request_id, ctx.client, 'experts',"    \
    "     i.id::text, NULL, jsonb_build_object(" PERSON_IMAGE_PAIR("id") ", " PERSON_IMAGE_PAIR("kind") ","    \
    PERSON_IMAGE_PAIR("name") ", " PERSON_IMAGE_PAIR("gender") ", "                               \
    PERSON_IMAGE_PAIR("birth_year") ", " PERSON_IMAGE_PAIR("title") ", "                          \
    PERSON_IMAGE_PAIR("position") ", " PERSON_IMAGE_PAIR("affiliation") ", "                      \
    PERSON_IMAGE_PAIR("affiliation_kind") ", " PERSON_IMAGE_PAIR("region_code") ", "              \
    PERSON_IMAGE_PAIR("discipline_codes") ", " PERSON_IMAGE_PAIR("industry_codes") ", "           \
    PERSON_IMAGE_PAIR("research_fields") ", " PERSON_IMAGE_PAIR("keywords") ", "                  \
    PERSON_IMAGE_PAIR("achievements") ", " PERSON_IMAGE_PAIR("service_modes") ", "                \
    PERSON_IMAGE_PAIR("phone") ", " PERSON_IMAGE_PAIR("email") ", "                               \
    PERSON_IMAGE_PAIR("id_number") ", " PERSON_IMAGE_PAIR("address") ", "                         \
    PERSON_IMAGE_PAIR("consent") ", " PERSON_IMAGE_PAIR("consent_at") ", "                        \
    PERSON_IMAGE_PAIR("available") ", " PERSON_IMAGE_PAIR("academy") ", "                         \
    PERSON_IMAGE_PAIR("division") ", " PERSON_IMAGE_PAIR("election_year") ", "                    \
    PERSON_IMAGE_PAIR("city_ties") ", " PERSON_IMAGE_PAIR("ties_note") ", "                       \
    PERSON_IMAGE_PAIR("status") ", " PERSON_IMAGE_PAIR("created_by") ", "                         \
    PERSON_IMAGE_PAIR("created_at") ", " PERSON_IMAGE_PAIR("updated_at") ", "                     \
    PERSON_IMAGE_PAIR("version") ", " PERSON_IMAGE_PAIR("archived_at") ", "                       \
    PERSON_IMAGE_PAIR("archived_by") ", " PERSON_IMAGE_PAIR("discipline_roots") ")"              \
    "   FROM ins i, ctx ORDER BY i.id)"

/* One part (a chunk) of a people's import, sent while sikud reads on: every part of an import
 * runs in one transaction (a write session, src/api/imports.c), which commits at the end or
 * rolls back, so a file still goes in whole or not at all, but the database inserts one part
 * while sikud reads the next (issue 7; bench/README.md "bench/import"). $1 the rows, typed by
 * json_populate_recordset (migrations/0037_import_people_parts.sql); $2 the caller; $3 what to
 * do with the good rows: 'write' (when no row of the part has a problem), 'partial' (write
 * them anyway), 'check' (write nothing: a dry run, or a file already refused). Rows match by ID
 * number (a record of the other kind is a problem), else by name + affiliation + phone among
 * records of this kind (one with an ID number only when the row has none); then every rule
 * the row alone cannot check: codes in the reference tables, the caller's right to change the
 * record, and the years (no birth in the future; an election after the academy existed and at
 * 25 or older). Answers (would insert, would update, unchanged, problems json, written). */
#define P_KEEP(c) " coalesce(g." c ", e." c ") AS " c ","
#define P_CODES_PROBLEM(field, table, label)                                                       \
    "   UNION ALL SELECT r.row_no, r.ord, '" field "', '" label "“' || string_agg(c, '、') || "   \
    "'”不存在'"                                                                                    \
    "   FROM r, unnest(r." field ") c"                                                             \
    "   WHERE NOT EXISTS (SELECT 1 FROM " table " x WHERE x.code = c) GROUP BY r.row_no, r.ord"
#define PERSON_CHUNK(KIND, OTHER_LIBRARY)                                                          \
    "WITH r AS (SELECT x.*, expert_person_key(x.name, x.affiliation, x.phone) AS pkey"             \
    "           FROM json_populate_recordset(NULL::import_person, $1::json) x),"                   \
    " idm AS (SELECT DISTINCT ON (r.ord) r.ord, e.id, e.kind FROM r"                               \
    "   JOIN experts e ON e.id_number = upper(r.id_number) WHERE r.id_number IS NOT NULL"          \
    "   ORDER BY r.ord, e.kind <> '" KIND "', e.id),"                                              \
    " pm AS (SELECT DISTINCT ON (r.ord) r.ord, e.id, e.kind FROM r"                                \
    "   JOIN experts e ON e.kind = '" KIND "' AND expert_person_key(e.name, e.affiliation, e.phone)" \
    "     = r.pkey"                                                                                \
    "   WHERE NOT EXISTS (SELECT 1 FROM idm WHERE idm.ord = r.ord)"                                \
    "     AND (e.id_number IS NULL OR r.id_number IS NULL)"                                        \
    "   ORDER BY r.ord, e.id),"                                                                    \
    " hit AS (SELECT * FROM idm UNION ALL SELECT * FROM pm),"                                      \
    " cur AS (SELECT h.ord, h.id, expert_can_write(e, $2::jsonb) AS w"                             \
    "         FROM hit h JOIN experts e ON e.id = h.id WHERE h.kind = '" KIND "'),"                \
    " problems AS ("                                                                               \
    "   SELECT r.row_no, r.ord, 'id_number' AS field,"                                             \
    "     '此身份证号已登记在" OTHER_LIBRARY "中，不能在这里导入' AS reason"                       \
    "   FROM r JOIN hit USING (ord) WHERE hit.kind <> '" KIND "'"                                  \
    "   UNION ALL SELECT r.row_no, r.ord,"                                                         \
    "     CASE WHEN r.id_number IS NOT NULL THEN 'id_number' ELSE 'name' END,"                     \
    "     '已有的此人记录属于其他地区，无权修改'"                                                  \
    "   FROM r JOIN cur USING (ord) WHERE NOT cur.w"                                               \
    "   UNION ALL SELECT r.row_no, r.ord, 'region_code', '地区代码不存在' FROM r"                  \
    "   WHERE r.region_code IS NOT NULL"                                                           \
    "     AND NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.region_code)"                   \
    P_CODES_PROBLEM("discipline_codes", "disciplines", "学科代码")                                 \
    P_CODES_PROBLEM("industry_codes", "industries", "行业代码")                                    \
    "   UNION ALL SELECT r.row_no, r.ord, 'birth_year', '出生年份不能晚于今年' FROM r"             \
    "   WHERE r.birth_year > extract(year FROM now())"                                             \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year', '当选年份不能晚于今年' FROM r"          \
    "   WHERE r.election_year > extract(year FROM now())"                                          \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year', CASE r.academy"                         \
    "     WHEN 'CAS' THEN '当选年份早于中国科学院首批学部委员当选（1955 年）'"                     \
    "     ELSE '当选年份早于中国工程院成立（1994 年）' END FROM r"                                 \
    "   WHERE r.election_year"                                                                     \
    "     < CASE r.academy WHEN 'CAS' THEN 1955 WHEN 'CAE' THEN 1994 ELSE 0 END"                   \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year',"                                        \
    "     '当选年份与出生年份不符：当选时应年满 25 岁' FROM r"                                     \
    "   WHERE r.election_year < r.birth_year + 25),"                                               \
    " good AS (SELECT r.* FROM r WHERE NOT EXISTS (SELECT 1 FROM problems p WHERE p.ord = r.ord)),"\
    " m AS (SELECT e.id, g.terms,"                                                                 \
    P_KEEP("name") P_KEEP("gender") P_KEEP("birth_year") P_KEEP("title") P_KEEP("position")        \
    P_KEEP("affiliation") P_KEEP("affiliation_kind") P_KEEP("region_code")                         \
    P_KEEP("discipline_codes") P_KEEP("industry_codes") P_KEEP("research_fields")                  \
    P_KEEP("keywords") P_KEEP("achievements") P_KEEP("service_modes") P_KEEP("phone")              \
    P_KEEP("email") " coalesce(upper(g.id_number), e.id_number) AS id_number,"                     \
    P_KEEP("address") P_KEEP("consent") P_KEEP("available") P_KEEP("academy") P_KEEP("division")  \
    P_KEEP("election_year") P_KEEP("city_ties") P_KEEP("ties_note")                                \
    " coalesce(g.status, e.status) AS status"                                                      \
    "   FROM good g JOIN cur USING (ord) JOIN experts e ON e.id = cur.id),"                        \
    " changed AS (SELECT m.* FROM m JOIN experts e ON e.id = m.id"                                 \
    "   WHERE (" PERSON_COLS_OF("e.") ") IS DISTINCT FROM (" PERSON_COLS_OF("m.") ")),"            \
    " fresh AS (SELECT g.* FROM good g WHERE NOT EXISTS (SELECT 1 FROM hit WHERE hit.ord = g.ord)),"\
    " report AS (SELECT coalesce(json_agg(json_build_object('row', row_no, 'field', field,"        \
    "   'reason', reason) ORDER BY row_no, field), '[]') AS p FROM problems),"                     \
    " go AS (SELECT $3::text = 'partial' OR ($3::text = 'write'"                                   \
    "   AND NOT EXISTS (SELECT 1 FROM problems)) AS ok),"                                          \
    " upd AS (UPDATE experts e SET (" PERSON_COLS ") = (" PERSON_COLS_OF("c.") "),"                \
    "   consent_at = CASE WHEN NOT c.consent THEN NULL WHEN e.consent THEN e.consent_at"           \
    "                     ELSE now() END,"                                                         \
    "   terms = e.terms || c.terms, updated_at = now(), version = e.version + 1"                   \
    "   FROM changed c, go WHERE go.ok AND e.id = c.id RETURNING e.id),"                           \
    " ins AS (INSERT INTO experts (kind, " PERSON_COLS ", consent_at, terms, search, created_by)"  \
    "   SELECT '" KIND "', f.name, f.gender, f.birth_year, f.title, f.position, f.affiliation,"    \
    "     f.affiliation_kind, f.region_code, coalesce(f.discipline_codes, '{}'),"                  \
    "     coalesce(f.industry_codes, '{}'), f.research_fields, coalesce(f.keywords, '{}'),"        \
    "     f.achievements, coalesce(f.service_modes, '{}'), f.phone, f.email, upper(f.id_number),"  \
    "     f.address, coalesce(f.consent, false), coalesce(f.available, true), f.academy,"          \
    "     f.division, f.election_year, coalesce(f.city_ties, '{}'), f.ties_note,"                  \
    "     coalesce(f.status, 'active'), CASE WHEN f.consent THEN now() END,"                       \
    "     coalesce(f.terms, '{}'), f.search, ($2::jsonb->>'user_id')::bigint"                      \
    "   FROM fresh f, go WHERE go.ok ORDER BY f.ord RETURNING " PERSON_IMAGE_COLS "),"            \
    PERSON_INSERT_AUDIT                                                                            \
    " SELECT (SELECT count(*) FROM fresh)::text, (SELECT count(*) FROM changed)::text,"            \
    "  ((SELECT count(*) FROM m) - (SELECT count(*) FROM changed))::text,"                         \
    "  (SELECT p FROM report)::text, (SELECT ok FROM go)::text"
// clang-format on

static struct db_stmt expert_chunk = {"import_experts_part", PERSON_CHUNK("expert", "院士库"), 3,
                                      0};
static struct db_stmt academician_chunk = {"import_academicians_part",
                                           PERSON_CHUNK("academician", "专家库"), 3, 0};

/* The weights of experts.search (migrations/0031_import_speed.sql, experts_search_vector()). */
static const struct search_weight expert_search_weights[] = {
    {"name", 'A'},        {"keywords", 'A'}, {"research_fields", 'B'}, {"achievements", 'C'},
    {"affiliation", 'C'}, {"position", 'D'}, {"division", 'D'},        {NULL, 0}};

#define PERSON_KEY_LABEL "身份证号（无身份证号时为姓名、工作单位和手机）"

/* ---- demands and workstations ----
 * A row names its enterprise by the credit code (the database finds the record; the name, when
 * the file has it, must be that record's), its industry by the GB/T 4754 code or name, and may
 * name the record itself by its id (编号). Their specs are the resource's own, less what a
 * client cannot set and what the row names otherwise, plus the import's columns: built at
 * start-up (import_adapters_register), so an imported row passes the API's rules. */

#define IMPORT_SPECS_MAX 48
#define MAX_ID           999999999999999LL

static struct field_spec demand_specs[IMPORT_SPECS_MAX];
static struct field_spec workstation_specs[IMPORT_SPECS_MAX];

/* A GB/T 4754 code (checked as the API checks one) or the name of one, which the database
 * looks up. */
static bool check_industry(const char *s, const char **code, const char **message)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80)
            return true;
    return codes_check_industry_code(s, code, message);
}

static const struct field_spec *spec_named(const struct field_spec *specs, const char *name)
{
    for (const struct field_spec *f = specs; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    abort(); /* a spec this file relies on is gone: a programming error */
}

/* out = base without read-only fields and those in dropped, then extra. */
static void specs_derive(struct field_spec *out, const struct field_spec *base,
                         const char *const *dropped, const struct field_spec *extra, size_t nextra)
{
    size_t n = 0;
    for (const struct field_spec *f = base; f->name; f++) {
        bool drop = (f->flags & FIELD_READ_ONLY) != 0;
        for (const char *const *d = dropped; *d && !drop; d++)
            drop = strcmp(*d, f->name) == 0;
        if (!drop && n + 1 < IMPORT_SPECS_MAX)
            out[n++] = *f;
    }
    for (size_t i = 0; i < nextra && n + 1 < IMPORT_SPECS_MAX; i++)
        out[n++] = extra[i];
    if (n + 1 >= IMPORT_SPECS_MAX)
        abort();
    memset(&out[n], 0, sizeof out[n]);
}

/* The columns that name the enterprise (credit code, name), the record (id) and the industry,
 * and the library's own import-only column (more, may be NULL). */
static void specs_build(struct field_spec *out, const struct field_spec *base, const char *ent,
                        const char *ent_name, const struct field_spec *more)
{
    struct field_spec extra[5] = {
        {"id", FIELD_INT, 0, 1, MAX_ID, 0, NULL, 0, NULL},
        *spec_named(enterprise_fields, "credit_code"),
        {ent_name, FIELD_STRING, 0, 1, 200, 0, NULL, 0, NULL},
        *spec_named(base, "industry_code"),
    };
    extra[1].name = ent;
    extra[1].flags = FIELD_REQUIRED;
    extra[1].roles = 0;
    extra[3].max = 100; /* a name, too */
    extra[3].check = check_industry;
    if (more)
        extra[4] = *more;
    static const char *const dropped[] = {"enterprise_id", "host_enterprise_id", "industry_code",
                                          NULL};
    specs_derive(out, base, dropped, extra, more ? 5 : 4);
}

/* The record's id when the row gives one; otherwise the enterprise's credit code and the title
 * (or name), folded and hashed to fit. */
static void owned_key(const cJSON *clean, const char *code_field, const char *name_field, char *out,
                      size_t cap)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(clean, "id");
    if (cJSON_IsNumber(id)) {
        snprintf(out, cap, "i:%.0f", id->valuedouble);
        return;
    }
    char code[32];
    const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, code_field));
    size_t i = 0;
    for (; c && c[i] && i + 1 < sizeof code; i++)
        code[i] = (char)toupper((unsigned char)c[i]);
    code[i] = '\0';
    unsigned long long h[2] = {1469598103934665603ull, 14695981039346656037ull};
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, name_field)), false);
    snprintf(out, cap, "n:%s:%016llx%016llx", code, h[0], h[1]);
}

static void demand_key(const cJSON *clean, char *out, size_t cap)
{
    owned_key(clean, "enterprise_credit_code", "title", out, cap);
}

static void workstation_key(const cJSON *clean, char *out, size_t cap)
{
    owned_key(clean, "host_enterprise_credit_code", "name", out, cap);
}

static const struct import_label demand_kind_labels[] = {{"technical_problem", "技术难题"},
                                                         {"talent", "人才需求"},
                                                         {"transfer", "成果转化"},
                                                         {"joint_rnd", "合作研发"},
                                                         {"equipment", "设备共享"},
                                                         {"technical_problem", "技术攻关"},
                                                         {"talent", "人才引进"},
                                                         {"equipment", "设备需求"},
                                                         {NULL, NULL}};

#define INDUSTRY_COLUMN                                                                            \
    {                                                                                              \
        "industry_code", "行业",                                                                   \
            ALIASES("行业代码", "所属行业", "国民经济行业", "行业分类", "industry"), NULL          \
    }
#define REGION_COLUMN                                                                              \
    {                                                                                              \
        "region_code", "地区", REGION_ALIASES, NULL                                                \
    }

static const struct import_column demand_columns[] = {
    {"id", "需求编号", ALIASES("编号", "demand id"), NULL},
    {"enterprise_credit_code", "企业统一社会信用代码",
     ALIASES("统一社会信用代码", "信用代码", "社会信用代码", "企业信用代码", "credit code"), NULL},
    {"enterprise_name", "企业名称",
     ALIASES("企业", "需求企业", "单位名称", "公司名称", "需求单位", "需求单位名称", "enterprise"),
     NULL},
    {"title", "需求名称", ALIASES("需求标题", "标题", "名称", "项目名称", "技术需求名称"), NULL},
    {"kind", "需求类型", ALIASES("类型", "需求类别", "类别", "技术需求类别"), demand_kind_labels},
    {"description", "需求描述",
     ALIASES("描述", "需求内容", "具体需求", "需求简介", "详细描述", "技术需求内容", "需求详情"),
     NULL},
    {"keywords", "关键词", ALIASES("关键字"), NULL},
    INDUSTRY_COLUMN,
    {"discipline_codes", "学科代码", ALIASES("学科", "学科分类代码"), NULL},
    {"service_modes", "合作方式", ALIASES("服务方式", "期望合作方式", "service modes"),
     service_mode_labels},
    {"budget_min", "预算下限（万元）", ALIASES("预算下限", "最低预算", "budget min"), NULL},
    {"budget_max", "预算上限（万元）",
     ALIASES("预算上限", "最高预算", "预算", "预算（万元）", "预算金额", "拟投入资金", "拟投入经费",
             "投入资金", "合作经费", "budget max"),
     NULL},
    {"deadline", "截止日期", ALIASES("截止时间", "需求截止日期", "有效期至", "需求有效期至"), NULL},
    REGION_COLUMN,
    {NULL, NULL, NULL, NULL},
};

static const struct import_label level_labels[] = {{"city", "市级"},
                                                   {"provincial", "省级"},
                                                   {"city", "市级院士工作站"},
                                                   {"provincial", "省级院士工作站"},
                                                   {NULL, NULL}};

static const struct import_label workstation_status_labels[] = {
    {"planning", "筹建"},  {"running", "运行"},       {"suspended", "暂停"},
    {"revoked", "撤销"},   {"concluded", "验收结题"}, {"planning", "筹建中"},
    {"running", "运行中"}, {"suspended", "已暂停"},   {"revoked", "已撤销"},
    {"concluded", "结题"}, {"concluded", "已验收"},   {NULL, NULL}};

static const struct import_column workstation_columns[] = {
    {"id", "工作站编号", ALIASES("编号", "workstation id"), NULL},
    {"name", "工作站名称", ALIASES("名称", "工作站"), NULL},
    {"host_enterprise_credit_code", "依托企业统一社会信用代码",
     ALIASES("统一社会信用代码", "信用代码", "社会信用代码", "企业统一社会信用代码",
             "依托单位统一社会信用代码", "credit code"),
     NULL},
    {"host_enterprise_name", "依托企业",
     ALIASES("依托企业名称", "依托单位", "建站企业", "企业名称", "host enterprise"), NULL},
    {"level", "级别", ALIASES("工作站级别", "层级"), level_labels},
    REGION_COLUMN,
    INDUSTRY_COLUMN,
    {"established_on", "建站日期", ALIASES("建站时间", "成立日期", "设立日期", "批准日期"), NULL},
    {"term_end", "协议期满日期",
     ALIASES("协议期限", "协议到期日期", "协议截止日期", "协议到期", "协议期满", "协议有效期",
             "合作期限", "建站期限", "协议起止时间", "协议起止日期"),
     NULL},
    {"signed_on", "签约日期", ALIASES("协议签订日期", "签订日期", "签约时间", "协议签订时间"),
     NULL},
    {"status", "状态", ALIASES("工作站状态", "运行状态"), workstation_status_labels},
    {"demonstration_year", "示范年份", ALIASES("示范工作站年份", "获评示范年份"), NULL},
    {"description", "简介", ALIASES("工作站简介", "描述", "备注"), NULL},
    {NULL, NULL, NULL, NULL},
};

/* Shared by both: the staged rows, their enterprise (by credit code) and industry (by code,
 * else by folded name). */
#define OWNED_ROWS(CODE_FIELD)                                                                     \
    "WITH r AS (SELECT ord, row_no, key, data AS j, terms FROM import_rows"                        \
    "           WHERE import_id = $1::bigint),"                                                    \
    " ent AS (SELECT r.ord, x.id AS eid, x.name AS ename, x.region_code AS eregion FROM r"         \
    "   JOIN enterprises x ON x.credit_code = upper(r.j->>'" CODE_FIELD "')),"                     \
    " ind AS (SELECT r.ord, coalesce(i1.code, i2.code) AS code FROM r"                             \
    "   LEFT JOIN industries i1 ON i1.code = upper(r.j->>'industry_code')"                         \
    "   LEFT JOIN (SELECT DISTINCT ON (import_fold(name)) code, import_fold(name) AS k"            \
    "              FROM industries ORDER BY import_fold(name), sort_order) i2"                     \
    "     ON i2.k = import_fold(r.j->>'industry_code')"                                            \
    "   WHERE r.j->>'industry_code' IS NOT NULL),"

#define OWNED_PROBLEMS(CODE_FIELD, NAME_FIELD, KEY_FIELD, WHAT)                                                \
    "   SELECT r.row_no, r.ord, '" CODE_FIELD "' AS field,"                                                    \
    "     '企业库中没有统一社会信用代码为 ' || (r.j->>'" CODE_FIELD "')"                                       \
    "     || ' 的企业：请先导入或登记该企业' AS reason"                                          \
    "   FROM r WHERE NOT EXISTS (SELECT 1 FROM ent WHERE ent.ord = r.ord)"                                     \
    "   UNION ALL SELECT r.row_no, r.ord, '" NAME_FIELD "',"                                                   \
    "     '统一社会信用代码对应的企业是“' || ent.ename || '”，与所填企业名称不符'" \
    "   FROM r JOIN ent USING (ord) WHERE r.j ? '" NAME_FIELD "'"                                              \
    "     AND import_fold(r.j->>'" NAME_FIELD "') <> import_fold(ent.ename)"                                   \
    "   UNION ALL SELECT r.row_no, r.ord, 'id', '没有编号为 ' || (r.j->>'id') || ' 的" WHAT "'"                \
    "   FROM r WHERE r.j ? 'id' AND NOT EXISTS (SELECT 1 FROM byid WHERE byid.ord = r.ord)"                    \
    "   UNION ALL SELECT r.row_no, r.ord, CASE WHEN r.j ? 'id' THEN 'id' ELSE '" KEY_FIELD                     \
    "' END,"                                                                                                   \
    "     '此" WHAT "已归档，不能通过导入修改；如需修改，请先恢复'"                      \
    "   FROM r JOIN cur USING (ord) WHERE cur.archived"                                                        \
    "   UNION ALL SELECT r.row_no, r.ord, CASE WHEN r.j ? 'id' THEN 'id' ELSE '" KEY_FIELD                     \
    "' END,"                                                                                                   \
    "     '已有的此" WHAT "属于其他地区，无权修改'"                                                 \
    "   FROM r JOIN cur USING (ord) WHERE NOT cur.archived AND NOT cur.w"                                      \
    "   UNION ALL SELECT r.row_no, r.ord, 'region_code', '地区代码不存在' FROM r"                       \
    "   WHERE r.j ? 'region_code'"                                                                             \
    "     AND NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.j->>'region_code')"                         \
    "   UNION ALL SELECT r.row_no, r.ord, 'industry_code', '行业“' || (r.j->>'industry_code')"             \
    "     || '”不存在：应为国民经济行业分类（GB/T 4754）的代码或名称'"                 \
    "   FROM r JOIN ind USING (ord) WHERE ind.code IS NULL"

#define OWNED_GOOD " good AS (SELECT r.* FROM r WHERE r.ord NOT IN (SELECT ord FROM problems)),"

#define OWNED_REPORT                                                                               \
    " fresh AS (SELECT g.* FROM good g WHERE NOT EXISTS (SELECT 1 FROM hit WHERE hit.ord = "       \
    "g.ord)),"                                                                                     \
    " report AS (SELECT coalesce(json_agg(json_build_object('row', row_no, 'field', field,"        \
    "   'reason', reason) ORDER BY row_no, field), '[]') AS p FROM problems)"

#define OWNED_PREVIEW                                                                              \
    " SELECT (SELECT count(*) FROM fresh)::text, (SELECT count(*) FROM changed)::text,"            \
    "  ((SELECT count(*) FROM m) - (SELECT count(*) FROM changed))::text,"                         \
    "  (SELECT p FROM report)::text"

#define OWNED_APPLY_ANSWER                                                                         \
    " del AS (DELETE FROM import_rows WHERE import_id = $1::bigint)"                               \
    " SELECT (SELECT count(*) FROM ins)::text, (SELECT count(*) FROM upd)::text,"                  \
    "  CASE WHEN (SELECT ok FROM go)"                                                              \
    "   THEN (SELECT count(*) FROM m) - (SELECT count(*) FROM changed) ELSE 0 END::text,"          \
    "  (SELECT p FROM report)::text, (SELECT ok FROM go)::text"

#define M_DATE(c) " CASE WHEN j ? '" c "' THEN (j->>'" c "')::date ELSE e." c " END AS " c ","
#define M_MONEY(c)                                                                                 \
    " CASE WHEN j ? '" c "' THEN round((j->>'" c "')::numeric, 2) ELSE e." c " END AS " c ","
#define DEMAND_COLS                                                                                \
    "enterprise_id, title, description, kind, service_modes, industry_code, discipline_codes,"     \
    " keywords, budget_min, budget_max, deadline, region_code"
#define DEMAND_COLS_OF(t)                                                                          \
    t "enterprise_id, " t "title, " t "description, " t "kind, " t "service_modes, " t             \
      "industry_code, " t "discipline_codes, " t "keywords, " t "budget_min, " t "budget_max, " t  \
      "deadline, " t "region_code"

/* A demand is matched by its id, else by its enterprise and folded title among the live ones;
 * the caller must be able to change it in its present status (staff: until it is closed), as
 * PATCH /demands/{id} requires. The budget's order is checked on the values it will have. */
// clang-format off
#define DEMAND_MATCH                                                                               \
    OWNED_ROWS("enterprise_credit_code")                                                           \
    " byid AS (SELECT r.ord, d.id FROM r JOIN demands d ON d.id = (r.j->>'id')::bigint),"          \
    " bykey AS (SELECT DISTINCT ON (r.ord) r.ord, d.id FROM r JOIN ent USING (ord)"                \
    "   JOIN demands d ON d.enterprise_id = ent.eid AND d.archived_at IS NULL"                     \
    "     AND import_fold(d.title) = import_fold(r.j->>'title')"                                   \
    "   WHERE NOT r.j ? 'id' ORDER BY r.ord, d.id),"                                               \
    " hit AS (SELECT * FROM byid UNION ALL SELECT * FROM bykey),"                                  \
    " cur AS (SELECT h.ord, d.id, d.archived_at IS NOT NULL AS archived,"                          \
    "   demand_can_write(d, $2::jsonb) AS w, demand_editable(d, $2::jsonb) AS ed,"                 \
    "   demand_status_label(d.status) AS status_label, d.budget_min AS old_min,"                   \
    "   d.budget_max AS old_max FROM hit h JOIN demands d ON d.id = h.id),"                        \
    " problems AS ("                                                                               \
    OWNED_PROBLEMS("enterprise_credit_code", "enterprise_name", "title", "需求")                            \
    "   UNION ALL SELECT r.row_no, r.ord, CASE WHEN r.j ? 'id' THEN 'id' ELSE 'title' END,"        \
    "     '需求当前状态为“' || cur.status_label || '”，不能再修改'"                                \
    "   FROM r JOIN cur USING (ord) WHERE NOT cur.archived AND cur.w AND NOT cur.ed"               \
    CODES_PROBLEM("discipline_codes", "disciplines", "学科代码")                                   \
    "   UNION ALL SELECT r.row_no, r.ord, 'budget_max', '预算上限不能低于预算下限'"                \
    "   FROM r LEFT JOIN cur USING (ord)"                                                          \
    "   WHERE CASE WHEN r.j ? 'budget_min' THEN (r.j->>'budget_min')::numeric ELSE cur.old_min END"\
    "       > CASE WHEN r.j ? 'budget_max' THEN (r.j->>'budget_max')::numeric ELSE cur.old_max END"\
    " ),"                                                                                          \
    OWNED_GOOD                                                                                     \
    " m AS (SELECT g.terms, ent.eid AS enterprise_id,"                                             \
    M_TEXT("title") M_TEXT("description") M_TEXT("kind") M_ARRAY("service_modes")                 \
    " CASE WHEN j ? 'industry_code' THEN ind.code ELSE e.industry_code END AS industry_code,"      \
    M_ARRAY("discipline_codes") M_ARRAY("keywords") M_MONEY("budget_min") M_MONEY("budget_max")   \
    M_DATE("deadline") M_TEXT("region_code")                                                       \
    " e.id FROM good g JOIN cur USING (ord) JOIN demands e ON e.id = cur.id JOIN ent USING (ord)"  \
    "   LEFT JOIN ind USING (ord)),"                                                               \
    " changed AS (SELECT m.* FROM m JOIN demands e ON e.id = m.id"                                 \
    "   WHERE (" DEMAND_COLS_OF("e.") ") IS DISTINCT FROM (" DEMAND_COLS_OF("m.") ")),"            \
    OWNED_REPORT

/* Imported demands start as drafts, with the history row of their creation. */
#define DEMAND_APPLY                                                                               \
    DEMAND_MATCH                                                                                   \
    ","                                                                                            \
    " go AS (SELECT $3::boolean OR NOT EXISTS (SELECT 1 FROM problems) AS ok),"                    \
    " upd AS (UPDATE demands e SET (" DEMAND_COLS ") = (" DEMAND_COLS_OF("c.") "),"                \
    "   terms = e.terms || c.terms, updated_at = now(), version = e.version + 1"                   \
    "   FROM changed c, go WHERE go.ok AND e.id = c.id RETURNING e.id),"                           \
    " ins AS (INSERT INTO demands (" DEMAND_COLS ", terms, created_by)"                            \
    "   SELECT ent.eid, j->>'title', coalesce(j->>'description', ''), j->>'kind',"                 \
    "     jsonb_text_array(j->'service_modes'), ind.code, jsonb_text_array(j->'discipline_codes'),"\
    "     jsonb_text_array(j->'keywords'), (j->>'budget_min')::numeric,"                           \
    "     (j->>'budget_max')::numeric, (j->>'deadline')::date,"                                    \
    "     coalesce(j->>'region_code', ent.eregion), f.terms, ($2::jsonb->>'user_id')::bigint"      \
    "   FROM fresh f JOIN ent USING (ord) LEFT JOIN ind USING (ord), go WHERE go.ok"               \
    "   ORDER BY f.ord RETURNING id, status),"                                                     \
    " hist AS (INSERT INTO demand_transitions (demand_id, from_status, to_status, action, reason,"\
    "   user_id, role)"                                                                            \
    "   SELECT id, NULL, status, 'create', '批量导入', ($2::jsonb->>'user_id')::bigint,"           \
    "     $2::jsonb->>'role' FROM ins),"                                                           \
    OWNED_APPLY_ANSWER

#define WORKSTATION_COLS                                                                           \
    "name, host_enterprise_id, level, region_code, industry_code, established_on, term_end,"       \
    " demonstration_year, description"
#define WORKSTATION_COLS_OF(t)                                                                     \
    t "name, " t "host_enterprise_id, " t "level, " t "region_code, " t "industry_code, " t        \
      "established_on, " t "term_end, " t "demonstration_year, " t "description"

/* A station is matched by its id, else by its host enterprise and folded name among the live
 * ones. Its status changes only through POST /workstations/{id}/status (which records why), so
 * a row may not change it; a county's staff import the stations of their region, which is the
 * host's unless the row gives one (as POST /workstations decides). */
#define WORKSTATION_MATCH                                                                          \
    OWNED_ROWS("host_enterprise_credit_code")                                                      \
    " byid AS (SELECT r.ord, w.id FROM r JOIN workstations w ON w.id = (r.j->>'id')::bigint),"     \
    " bykey AS (SELECT DISTINCT ON (r.ord) r.ord, w.id FROM r JOIN ent USING (ord)"                \
    "   JOIN workstations w ON w.host_enterprise_id = ent.eid AND w.archived_at IS NULL"           \
    "     AND import_fold(w.name) = import_fold(r.j->>'name')"                                     \
    "   WHERE NOT r.j ? 'id' ORDER BY r.ord, w.id),"                                               \
    " hit AS (SELECT * FROM byid UNION ALL SELECT * FROM bykey),"                                  \
    " cur AS (SELECT h.ord, w.id, w.archived_at IS NOT NULL AS archived,"                          \
    "   workstation_can_write(w, $2::jsonb) AS w, w.status, w.region_code AS old_region,"          \
    "   w.established_on AS old_from, w.term_end AS old_to"                                        \
    "   FROM hit h JOIN workstations w ON w.id = h.id),"                                           \
    " problems AS ("                                                                               \
    OWNED_PROBLEMS("host_enterprise_credit_code", "host_enterprise_name", "name", "工作站")                \
    "   UNION ALL SELECT r.row_no, r.ord, 'status', '导入不能改变已有工作站的状态（现为“'"         \
    "     || workstation_status_label(cur.status) || '”）：请在工作站页面办理状态变更，以便记下原因'"\
    "   FROM r JOIN cur USING (ord) WHERE r.j->>'status' <> cur.status"                            \
    "   UNION ALL SELECT r.row_no, r.ord, 'region_code', '县（市、区）科协工作人员只能导入本地区（'"\
    "     || ($2::jsonb->>'region') || '）的工作站；未填地区代码时，工作站在依托企业所在地区'"     \
    "   FROM r JOIN ent USING (ord) LEFT JOIN cur USING (ord)"                                     \
    "   WHERE $2::jsonb->>'role' = 'county_staff' AND coalesce(cur.w, true)"                       \
    "     AND CASE WHEN r.j ? 'region_code' THEN r.j->>'region_code'"                              \
    "              WHEN cur.id IS NOT NULL THEN cur.old_region ELSE ent.eregion END"               \
    "         IS DISTINCT FROM $2::jsonb->>'region'"                                               \
    "   UNION ALL SELECT r.row_no, r.ord, 'term_end', '协议期满日期不能早于建站日期'"              \
    "   FROM r LEFT JOIN cur USING (ord)"                                                          \
    "   WHERE CASE WHEN r.j ? 'established_on' THEN (r.j->>'established_on')::date"                \
    "         ELSE cur.old_from END"                                                               \
    "       > CASE WHEN r.j ? 'term_end' THEN (r.j->>'term_end')::date ELSE cur.old_to END"        \
    " ),"                                                                                          \
    OWNED_GOOD                                                                                     \
    " m AS (SELECT g.terms,"                                                                       \
    M_TEXT("name") " ent.eid AS host_enterprise_id," M_TEXT("level") M_TEXT("region_code")        \
    " CASE WHEN j ? 'industry_code' THEN ind.code ELSE e.industry_code END AS industry_code,"      \
    M_DATE("established_on") M_DATE("term_end") M_INT("demonstration_year") M_TEXT("description")  \
    " e.id FROM good g JOIN cur USING (ord) JOIN workstations e ON e.id = cur.id"                  \
    "   JOIN ent USING (ord) LEFT JOIN ind USING (ord)),"                                          \
    " changed AS (SELECT m.* FROM m JOIN workstations e ON e.id = m.id"                            \
    "   WHERE (" WORKSTATION_COLS_OF("e.") ") IS DISTINCT FROM (" WORKSTATION_COLS_OF("m.") ")),"  \
    OWNED_REPORT

/* A new station starts in the status the row gives (筹建 when none), with its history row. */
#define WORKSTATION_APPLY                                                                          \
    WORKSTATION_MATCH                                                                              \
    ","                                                                                            \
    " go AS (SELECT $3::boolean OR NOT EXISTS (SELECT 1 FROM problems) AS ok),"                    \
    " upd AS (UPDATE workstations e SET (" WORKSTATION_COLS ") = ("                                \
    WORKSTATION_COLS_OF("c.") "),"                                                                 \
    "   terms = e.terms || c.terms, updated_at = now(), version = e.version + 1"                   \
    "   FROM changed c, go WHERE go.ok AND e.id = c.id RETURNING e.id),"                           \
    " ins AS (INSERT INTO workstations (" WORKSTATION_COLS ", status, terms, created_by)"          \
    "   SELECT j->>'name', ent.eid, coalesce(j->>'level', 'city'),"                                \
    "     coalesce(j->>'region_code', ent.eregion), ind.code, (j->>'established_on')::date,"       \
    "     (j->>'term_end')::date, (j->>'demonstration_year')::int, j->>'description',"             \
    "     coalesce(j->>'status', 'planning'), f.terms, ($2::jsonb->>'user_id')::bigint"            \
    "   FROM fresh f JOIN ent USING (ord) LEFT JOIN ind USING (ord), go WHERE go.ok"               \
    "   ORDER BY f.ord RETURNING id, status),"                                                     \
    " hist AS (INSERT INTO workstation_transitions (workstation_id, from_status, to_status,"       \
    "   reason, user_id, role)"                                                                    \
    "   SELECT id, NULL, status, '批量导入', ($2::jsonb->>'user_id')::bigint,"                     \
    "     $2::jsonb->>'role' FROM ins),"                                                           \
    OWNED_APPLY_ANSWER
// clang-format on

static struct db_stmt demand_preview = {"import_demands_preview", DEMAND_MATCH OWNED_PREVIEW, 2, 0};
static struct db_stmt demand_apply = {"import_demands_apply", DEMAND_APPLY, 3, 0};
static struct db_stmt workstation_preview = {"import_workstations_preview",
                                             WORKSTATION_MATCH OWNED_PREVIEW, 2, 0};
static struct db_stmt workstation_apply = {"import_workstations_apply", WORKSTATION_APPLY, 3, 0};

#define DEMAND_KEY_LABEL      "需求编号（无编号时为企业统一社会信用代码和需求名称）"
#define WORKSTATION_KEY_LABEL "工作站编号（无编号时为依托企业统一社会信用代码和工作站名称）"

/* ---- the table ---- */

static const struct import_adapter adapters[] = {
    {"enterprises", "企业库", enterprise_fields, enterprise_columns, enterprise_search_fields, true,
     enterprise_key, "统一社会信用代码", &enterprise_preview, &enterprise_apply, NULL, NULL},
    {"experts", "专家库", expert_fields, expert_columns, expert_search_fields, true, person_key,
     PERSON_KEY_LABEL, NULL, NULL, expert_search_weights, &expert_chunk},
    {"academicians", "院士库", academician_fields, academician_columns, expert_search_fields, true,
     person_key, PERSON_KEY_LABEL, NULL, NULL, expert_search_weights, &academician_chunk},
    {"demands", "需求库", demand_specs, demand_columns, demand_search_fields, true, demand_key,
     DEMAND_KEY_LABEL, &demand_preview, &demand_apply, NULL, NULL},
    {"workstations", "工作站", workstation_specs, workstation_columns, workstation_search_fields,
     false, workstation_key, WORKSTATION_KEY_LABEL, &workstation_preview, &workstation_apply, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL},
};

const struct import_adapter *import_adapter_find(const char *library)
{
    for (const struct import_adapter *a = adapters; library && a->library; a++)
        if (strcmp(a->library, library) == 0)
            return a;
    return NULL;
}

const struct import_adapter *import_adapters(void)
{
    return adapters;
}

void import_adapters_register(void)
{
    /* A station's signing date: only where a term is written as a length (3年) to count from. */
    static const struct field_spec signed_on = {
        "signed_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL};
    specs_build(demand_specs, demand_fields, "enterprise_credit_code", "enterprise_name", NULL);
    specs_build(workstation_specs, workstation_fields, "host_enterprise_credit_code",
                "host_enterprise_name", &signed_on);
    for (const struct import_adapter *a = adapters; a->library; a++) {
        if (a->chunk) {
            db_stmt_register(a->chunk);
            continue;
        }
        db_stmt_register(a->preview);
        db_stmt_register(a->apply);
    }
}
