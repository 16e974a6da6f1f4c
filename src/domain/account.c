/* Account rules shared by the API and `sikud create-user`. */
#include "domain/account.h"

#include "core/utf8.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool account_username_ok(const char *u, const char **code, const char **message)
{
    size_t n = strlen(u);
    bool ok = n >= 3 && n <= 64;
    for (const char *p = u; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || strchr("_.@-", *p) != NULL;
    if (!ok) {
        *code = "invalid_username";
        *message = "用户名应为 3 到 64 个字母、数字或 _ . @ - 字符";
    }
    return ok;
}

bool account_password_ok(const char *username, const char *password, const char **message)
{
    size_t bytes = strlen(password);
    if (bytes > PASSWORD_MAX_BYTES) {
        *message = "密码过长";
        return false;
    }
    if (utf8_length(password, bytes) < PASSWORD_MIN_CHARS) {
        *message = "密码至少 8 个字符";
        return false;
    }
    bool letter = false, digit = false, other = false;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
        if (isalpha(*p))
            letter = true;
        else if (isdigit(*p))
            digit = true;
        else
            other = true;
    }
    if (letter + digit + other < 2) {
        *message = "密码须包含字母、数字、符号中的至少两类";
        return false;
    }
    size_t ulen = username ? strlen(username) : 0;
    if (ulen >= 3) {
        for (size_t i = 0; i + ulen <= bytes; i++)
            if (strncasecmp(password + i, username, ulen) == 0) {
                *message = "密码不能包含用户名";
                return false;
            }
    }
    return true;
}

const char *account_binding_for(enum role role)
{
    switch (role) {
    case ROLE_COUNTY:
        return "region_code";
    case ROLE_ENTERPRISE:
        return "enterprise_id";
    case ROLE_EXPERT:
        return "expert_id";
    default:
        return NULL;
    }
}
