/* Role names (stable English codes) and their Chinese labels. */
#include "domain/role.h"

#include <string.h>

static const struct {
    enum role role;
    const char *name;
    const char *label;
} roles[] = {
    {ROLE_ANON, "anonymous", "匿名访问"},
    {ROLE_ADMIN, "admin", "系统管理员"},
    {ROLE_CITY, "city_staff", "市科协工作人员"},
    {ROLE_COUNTY, "county_staff", "县（市、区）科协工作人员"},
    {ROLE_ENTERPRISE, "enterprise", "企业用户"},
    {ROLE_EXPERT, "expert", "专家用户"},
};

enum role role_from_name(const char *name)
{
    for (size_t i = 1; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return 0;
}

const char *role_name(enum role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "unknown";
}

const char *role_label(enum role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == r)
            return roles[i].label;
    return "未知角色";
}
