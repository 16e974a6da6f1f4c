/* The import adapters of the libraries (see import_adapters.h): columns and SQL per library. */
#include "api/import_adapters.h"

#include "api/enterprises.h"
#include "api/experts_resource.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- enterprises ---- */

static const struct import_label size_labels[] = {
    {"large", "大型"}, {"medium", "中型"}, {"small", "小型"}, {"micro", "微型"}, {NULL, NULL}};

#define ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct import_column enterprise_columns[] = {
    {"name", "企业名称", ALIASES("名称", "企业", "单位名称", "公司名称", "enterprise name"), NULL},
    {"credit_code", "统一社会信用代码", ALIASES("信用代码", "社会信用代码", "credit code", "uscc"),
     NULL},
    {"region_code", "地区代码", ALIASES("行政区划代码", "所在地区代码", "区划代码", "region"),
     NULL},
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

static const struct import_label affiliation_kind_labels[] = {
    {"university", "高校"},    {"institute", "科研院所"},  {"enterprise", "企业"},
    {"other", "其他"},         {"university", "高等院校"}, {"university", "大学"},
    {"institute", "科研机构"}, {"institute", "研究院所"},  {NULL, NULL}};

static const struct import_label service_mode_labels[] = {
    {"transfer", "技术转让"}, {"commissioned", "委托研究"}, {"joint", "联合攻关"},
    {"training", "人才培养"}, {"consulting", "技术咨询"},   {"commissioned", "委托开发"},
    {"joint", "合作研发"},    {"consulting", "咨询"},       {NULL, NULL}};

static const struct import_label academy_labels[] = {
    {"CAS", "中国科学院"}, {"CAE", "中国工程院"}, {"foreign", "外籍"},     {"CAS", "中科院"},
    {"CAS", "科学院"},     {"CAE", "工程院"},     {"foreign", "外籍院士"}, {NULL, NULL}};

static const struct import_label city_tie_labels[] = {
    {"native", "籍贯"}, {"work", "工作"}, {"cooperation", "合作"}, {NULL, NULL}};

static const struct import_label status_labels[] = {{"active", "在职"},   {"retired", "退休"},
                                                    {"deceased", "已故"}, {"active", "在岗"},
                                                    {"deceased", "去世"}, {NULL, NULL}};

#define PERSON_COLUMNS                                                                             \
    {"name", "姓名", ALIASES("专家姓名", "院士姓名", "名字"), NULL},                               \
        {"gender", "性别", NULL, gender_labels},                                                   \
        {"birth_year", "出生年份", ALIASES("出生年月", "出生年", "出生日期", "birth year"), NULL}, \
        {"title", "职称", ALIASES("技术职称", "专业技术职称"), title_labels},                      \
        {"position", "职务", ALIASES("行政职务"), NULL},                                           \
        {"affiliation", "工作单位", ALIASES("单位", "所在单位", "单位名称"), NULL},                \
        {"affiliation_kind", "单位类型", ALIASES("单位性质", "affiliation kind"),                  \
         affiliation_kind_labels},                                                                 \
        {"region_code", "地区代码", ALIASES("行政区划代码", "所在地区代码", "区划代码", "region"), \
         NULL},                                                                                    \
        {"discipline_codes", "学科代码", ALIASES("学科", "学科分类代码", "所属学科代码"), NULL},   \
        {"industry_codes", "行业代码", ALIASES("国民经济行业代码", "所属行业代码"), NULL},         \
        {"research_fields", "研究方向", ALIASES("研究领域", "专业领域", "专业方向"), NULL},        \
        {"keywords", "关键词", ALIASES("关键字"), NULL},                                           \
        {"achievements", "主要成果", ALIASES("成果", "代表性成果", "主要业绩"), NULL},             \
        {"service_modes", "服务方式", ALIASES("合作方式", "可提供服务方式"), service_mode_labels}, \
        {"phone", "手机", ALIASES("电话", "手机号", "手机号码", "联系电话", "联系方式"), NULL},    \
        {"email", "电子邮箱", ALIASES("邮箱", "电子邮件", "e-mail"), NULL},                        \
        {"id_number", "身份证号", ALIASES("身份证号码", "身份证", "证件号码", "id number"), NULL}, \
        {"address", "通讯地址", ALIASES("地址", "联系地址"), NULL},                                \
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
    {"division", "学部", ALIASES("所在学部"), NULL},
    {"election_year", "当选年份", ALIASES("当选时间", "当选年"), NULL},
    {"city_ties", "与本市关系", ALIASES("与本市渊源", "关系类型"), city_tie_labels},
    {"ties_note", "关系说明", ALIASES("渊源说明", "关系备注"), NULL},
    {"status", "状态", ALIASES("在职状态"), status_labels},
    {NULL, NULL, NULL, NULL},
};

/* Feeds s to two FNV-1a hashes, dropping white space of every kind (and ASCII upper case). */
static void hash_text(unsigned long long h[2], const char *s, bool digits_only)
{
    static const char *const spaces[] = {"\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\x8B", "\xEF\xBB\xBF",
                                         NULL};
    for (const char *p = s ? s : ""; *p;) {
        bool skip = false;
        for (const char *const *sp = spaces; *sp && !skip; sp++)
            if (strncmp(p, *sp, strlen(*sp)) == 0) {
                p += strlen(*sp);
                skip = true;
            }
        if (skip)
            continue;
        unsigned char c = (unsigned char)*p++;
        if (isspace(c) || (digits_only && !isdigit(c)))
            continue;
        c = (unsigned char)tolower(c);
        h[0] = (h[0] ^ c) * 1099511628211ull;
        h[1] = (h[1] ^ c) * 1099511628211ull;
    }
    h[0] = (h[0] ^ '|') * 1099511628211ull;
    h[1] = (h[1] ^ '|') * 1099511628211ull;
}

/* The ID number when the row has one; otherwise name + affiliation + phone, normalised as
 * expert_person_key() does in SQL (migrations/0020_import_people.sql), hashed to fit. */
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
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "phone"));
    if (phone && strncmp(phone, "+86", 3) == 0)
        phone += 3;
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "name")), false);
    hash_text(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "affiliation")),
              false);
    hash_text(h, phone, true);
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
#define PERSON_MATCH(KIND, OTHER_LIBRARY)                                                          \
    "WITH r AS (SELECT ord, row_no, key, data AS j, terms FROM import_rows"                        \
    "           WHERE import_id = $1::bigint),"                                                    \
    " idm AS (SELECT DISTINCT ON (r.ord) r.ord, e.id, e.kind FROM r"                               \
    "   JOIN experts e ON e.id_number = upper(r.j->>'id_number') WHERE r.j ? 'id_number'"          \
    "   ORDER BY r.ord, e.kind <> '" KIND "', e.id),"                                              \
    " pm AS (SELECT DISTINCT ON (r.ord) r.ord, e.id, e.kind FROM r"                                \
    "   JOIN experts e ON e.kind = '" KIND "' AND expert_person_key(e.name, e.affiliation, e.phone)" \
    "     = expert_person_key(r.j->>'name', r.j->>'affiliation', r.j->>'phone')"                   \
    "   WHERE NOT EXISTS (SELECT 1 FROM idm WHERE idm.ord = r.ord)"                                \
    "     AND (e.id_number IS NULL OR NOT r.j ? 'id_number')"                                      \
    "   ORDER BY r.ord, e.id),"                                                                    \
    " hit AS (SELECT * FROM idm UNION ALL SELECT * FROM pm),"                                      \
    " cur AS (SELECT h.ord, h.id, expert_can_write(e, $2::jsonb) AS w"                             \
    "         FROM hit h JOIN experts e ON e.id = h.id WHERE h.kind = '" KIND "'),"                \
    " problems AS ("                                                                               \
    "   SELECT r.row_no, r.ord, 'id_number' AS field,"                                             \
    "     '此身份证号已登记在" OTHER_LIBRARY "中，不能在这里导入' AS reason"                       \
    "   FROM r JOIN hit USING (ord) WHERE hit.kind <> '" KIND "'"                                  \
    "   UNION ALL SELECT r.row_no, r.ord,"                                                         \
    "     CASE WHEN r.j ? 'id_number' THEN 'id_number' ELSE 'name' END,"                           \
    "     '已有的此人记录属于其他地区，无权修改'"                                                  \
    "   FROM r JOIN cur USING (ord) WHERE NOT cur.w"                                               \
    "   UNION ALL SELECT r.row_no, r.ord, 'region_code', '地区代码不存在' FROM r"                  \
    "   WHERE r.j ? 'region_code'"                                                                 \
    "     AND NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.j->>'region_code')"             \
    CODES_PROBLEM("discipline_codes", "disciplines", "学科代码")                                   \
    CODES_PROBLEM("industry_codes", "industries", "行业代码")                                      \
    "   UNION ALL SELECT r.row_no, r.ord, 'birth_year', '出生年份不能晚于今年' FROM r"             \
    "   WHERE (r.j->>'birth_year')::int > extract(year FROM now())"                                \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year', '当选年份不能晚于今年' FROM r"          \
    "   WHERE (r.j->>'election_year')::int > extract(year FROM now())"                             \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year', CASE r.j->>'academy'"                   \
    "     WHEN 'CAS' THEN '当选年份早于中国科学院首批学部委员当选（1955 年）'"                     \
    "     ELSE '当选年份早于中国工程院成立（1994 年）' END FROM r"                                 \
    "   WHERE (r.j->>'election_year')::int"                                                        \
    "     < CASE r.j->>'academy' WHEN 'CAS' THEN 1955 WHEN 'CAE' THEN 1994 ELSE 0 END"             \
    "   UNION ALL SELECT r.row_no, r.ord, 'election_year',"                                        \
    "     '当选年份与出生年份不符：当选时应年满 25 岁' FROM r"                                     \
    "   WHERE (r.j->>'election_year')::int < (r.j->>'birth_year')::int + 25),"                     \
    " good AS (SELECT r.* FROM r WHERE NOT EXISTS (SELECT 1 FROM problems p WHERE p.ord = r.ord)),"\
    " m AS (SELECT e.id, g.terms,"                                                                 \
    M_TEXT("name") M_TEXT("gender") M_INT("birth_year") M_TEXT("title") M_TEXT("position")         \
    M_TEXT("affiliation") M_TEXT("affiliation_kind") M_TEXT("region_code")                         \
    M_ARRAY("discipline_codes") M_ARRAY("industry_codes") M_TEXT("research_fields")                \
    M_ARRAY("keywords") M_TEXT("achievements") M_ARRAY("service_modes") M_TEXT("phone")            \
    M_TEXT("email")                                                                                \
    " CASE WHEN j ? 'id_number' THEN upper(j->>'id_number') ELSE e.id_number END AS id_number,"    \
    M_TEXT("address") M_BOOL("consent") M_BOOL("available") M_TEXT("academy") M_TEXT("division")   \
    M_INT("election_year") M_ARRAY("city_ties") M_TEXT("ties_note")                                \
    " CASE WHEN j ? 'status' THEN j->>'status' ELSE e.status END AS status"                        \
    "   FROM good g JOIN cur USING (ord) JOIN experts e ON e.id = cur.id),"                        \
    " changed AS (SELECT m.* FROM m JOIN experts e ON e.id = m.id"                                 \
    "   WHERE (" PERSON_COLS_OF("e.") ") IS DISTINCT FROM (" PERSON_COLS_OF("m.") ")),"            \
    " fresh AS (SELECT g.* FROM good g WHERE NOT EXISTS (SELECT 1 FROM hit WHERE hit.ord = g.ord)),"\
    " report AS (SELECT coalesce(json_agg(json_build_object('row', row_no, 'field', field,"        \
    "   'reason', reason) ORDER BY row_no, field), '[]') AS p FROM problems)"

#define PERSON_PREVIEW(KIND, OTHER)                                                                \
    PERSON_MATCH(KIND, OTHER)                                                                      \
    " SELECT (SELECT count(*) FROM fresh)::text, (SELECT count(*) FROM changed)::text,"            \
    "  ((SELECT count(*) FROM m) - (SELECT count(*) FROM changed))::text,"                         \
    "  (SELECT p FROM report)::text"

#define PERSON_APPLY(KIND, OTHER)                                                                  \
    PERSON_MATCH(KIND, OTHER)                                                                      \
    ","                                                                                            \
    " go AS (SELECT $3::boolean OR NOT EXISTS (SELECT 1 FROM problems) AS ok),"                    \
    " upd AS (UPDATE experts e SET (" PERSON_COLS ") = (" PERSON_COLS_OF("c.") "),"                \
    "   consent_at = CASE WHEN NOT c.consent THEN NULL WHEN e.consent THEN e.consent_at"           \
    "                     ELSE now() END,"                                                         \
    "   terms = e.terms || c.terms, updated_at = now(), version = e.version + 1"                   \
    "   FROM changed c, go WHERE go.ok AND e.id = c.id RETURNING e.id),"                           \
    " ins AS (INSERT INTO experts (kind, " PERSON_COLS ", consent_at, terms, created_by)"          \
    "   SELECT '" KIND "', j->>'name', j->>'gender', (j->>'birth_year')::int, j->>'title',"        \
    "     j->>'position', j->>'affiliation', j->>'affiliation_kind', j->>'region_code',"           \
    "     jsonb_text_array(j->'discipline_codes'), jsonb_text_array(j->'industry_codes'),"         \
    "     j->>'research_fields', jsonb_text_array(j->'keywords'), j->>'achievements',"             \
    "     jsonb_text_array(j->'service_modes'), j->>'phone', j->>'email',"                         \
    "     upper(j->>'id_number'), j->>'address', coalesce((j->>'consent')::boolean, false),"       \
    "     coalesce((j->>'available')::boolean, true), j->>'academy', j->>'division',"              \
    "     (j->>'election_year')::int, jsonb_text_array(j->'city_ties'), j->>'ties_note',"          \
    "     coalesce(j->>'status', 'active'),"                                                       \
    "     CASE WHEN (j->>'consent')::boolean THEN now() END, f.terms,"                             \
    "     ($2::jsonb->>'user_id')::bigint"                                                         \
    "   FROM fresh f, go WHERE go.ok ORDER BY f.ord RETURNING id),"                                \
    " del AS (DELETE FROM import_rows WHERE import_id = $1::bigint)"                               \
    " SELECT (SELECT count(*) FROM ins)::text, (SELECT count(*) FROM upd)::text,"                  \
    "  CASE WHEN (SELECT ok FROM go)"                                                              \
    "   THEN (SELECT count(*) FROM m) - (SELECT count(*) FROM changed) ELSE 0 END::text,"          \
    "  (SELECT p FROM report)::text, (SELECT ok FROM go)::text"
// clang-format on

static struct db_stmt expert_preview = {"import_experts_preview",
                                        PERSON_PREVIEW("expert", "院士库"), 2, 0};
static struct db_stmt expert_apply = {"import_experts_apply", PERSON_APPLY("expert", "院士库"), 3,
                                      0};
static struct db_stmt academician_preview = {"import_academicians_preview",
                                             PERSON_PREVIEW("academician", "专家库"), 2, 0};
static struct db_stmt academician_apply = {"import_academicians_apply",
                                           PERSON_APPLY("academician", "专家库"), 3, 0};

#define PERSON_KEY_LABEL "身份证号（无身份证号时为姓名、工作单位和手机）"

/* ---- the table ---- */

static const struct import_adapter adapters[] = {
    {"enterprises", "企业库", enterprise_fields, enterprise_columns, enterprise_search_fields, true,
     enterprise_key, "统一社会信用代码", &enterprise_preview, &enterprise_apply},
    {"experts", "专家库", expert_fields, expert_columns, expert_search_fields, true, person_key,
     PERSON_KEY_LABEL, &expert_preview, &expert_apply},
    {"academicians", "院士库", academician_fields, academician_columns, expert_search_fields, true,
     person_key, PERSON_KEY_LABEL, &academician_preview, &academician_apply},
    {NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL},
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
    for (const struct import_adapter *a = adapters; a->library; a++) {
        db_stmt_register(a->preview);
        db_stmt_register(a->apply);
    }
}
