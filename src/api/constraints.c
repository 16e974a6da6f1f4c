/* The table of named constraints; each migration that names a constraint adds its row. */
#include "api/constraints.h"

#include <string.h>

static const struct constraint_field table[] = {
    {"users_username", 409, "username", "duplicate", "用户名已存在"},
    {"users_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"users_binding", 400, "role", "binding",
     "角色与绑定不一致：县（市、区）科协工作人员须指定 region_code，企业用户须指定 "
     "enterprise_id，专家用户须指定 expert_id，其他角色不得绑定"},
};

const struct constraint_field *constraint_lookup(const char *constraint)
{
    if (constraint == NULL || *constraint == '\0')
        return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].constraint, constraint) == 0)
            return &table[i];
    return NULL;
}
