/* The import adapters of the libraries (see import_adapters.h): columns and SQL per library. */
#include "api/import_adapters.h"

#include "api/enterprises.h"

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

/* ---- the table ---- */

static const struct import_adapter adapters[] = {
    {"enterprises", "企业库", enterprise_fields, enterprise_columns, enterprise_search_fields, true,
     enterprise_key, "统一社会信用代码", &enterprise_preview, &enterprise_apply},
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
