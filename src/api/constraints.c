/* Named constraints and the field problem each becomes: the accounts' own table here, the
 * libraries' registered by their resource files. */
#include "api/constraints.h"

#include <string.h>

static const struct constraint_field table[] = {
    {"users_username", 409, "username", "duplicate", "用户名已存在"},
    {"users_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"users_binding", 400, "role", "binding",
     "角色与绑定不一致：县（市、区）科协工作人员须指定 region_code，企业用户须指定 "
     "enterprise_id，专家用户须指定 expert_id，其他角色不得绑定"},
    {"users_enterprise_id_fkey", 400, "enterprise_id", "unknown_record", "企业不存在"},
    {"users_expert_id_fkey", 400, "expert_id", "unknown_record", "专家不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

#define MAX_TABLES 32

static const struct constraint_field *tables[MAX_TABLES] = {table};
static int ntables = 1;

void constraints_register(const struct constraint_field *t)
{
    for (int i = 0; i < ntables; i++)
        if (tables[i] == t)
            return;
    if (ntables < MAX_TABLES)
        tables[ntables++] = t;
}

const struct constraint_field *constraint_lookup(const char *constraint)
{
    if (constraint == NULL || *constraint == '\0')
        return NULL;
    for (int t = 0; t < ntables; t++)
        for (const struct constraint_field *e = tables[t]; e->constraint; e++)
            if (strcmp(e->constraint, constraint) == 0)
                return e;
    return NULL;
}
