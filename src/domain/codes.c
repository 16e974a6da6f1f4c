/* Code and contact formats. Existence of codes is the database's business (reference
 * tables); these checks give a precise message before a round trip. */
#include "domain/codes.h"

#include <ctype.h>
#include <string.h>

static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int credit_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};

static int credit_value(char c)
{
    const char *p = c ? strchr(credit_chars, c) : NULL;
    return p ? (int)(p - credit_chars) : -1;
}

char codes_credit_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = credit_value(first17[i]);
        if (v < 0)
            return 0;
        sum += v * credit_weights[i];
    }
    int check = 31 - sum % 31;
    return credit_chars[check == 31 ? 0 : check];
}

static bool refuse(const char **code, const char **message, const char *c, const char *m)
{
    *code = c;
    *message = m;
    return false;
}

bool codes_check_credit_code(const char *s, const char **code, const char **message)
{
    if (strlen(s) != 18)
        return refuse(code, message, "invalid_credit_code", "统一社会信用代码应为 18 位");
    char upper[19];
    for (int i = 0; i < 18; i++)
        upper[i] = (char)toupper((unsigned char)s[i]);
    upper[18] = '\0';
    for (int i = 0; i < 18; i++)
        if (credit_value(upper[i]) < 0)
            return refuse(code, message, "invalid_credit_code",
                          "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）");
    for (int i = 2; i < 8; i++)
        if (!isdigit((unsigned char)upper[i]))
            return refuse(code, message, "invalid_credit_code",
                          "统一社会信用代码第 3 至 8 位应为行政区划码");
    if (codes_credit_check_char(upper) != upper[17])
        return refuse(code, message, "invalid_check_character",
                      "统一社会信用代码校验位不正确（GB 32100）");
    return true;
}

static bool all_digits_prefix(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    return strlen(s) == n && all_digits_prefix(s, n);
}

bool codes_check_region_code(const char *s, const char **code, const char **message)
{
    return all_digits(s, 6) ||
           refuse(code, message, "invalid_code", "应为 6 位 GB/T 2260 行政区划代码");
}

bool codes_check_discipline_code(const char *s, const char **code, const char **message)
{
    return all_digits(s, 3) || all_digits(s, 5) ||
           refuse(code, message, "invalid_code", "应为 GB/T 13745 学科代码（3 位或 5 位数字）");
}

bool codes_check_industry_code(const char *s, const char **code, const char **message)
{
    size_t n = strlen(s);
    bool ok = (n == 1 && s[0] >= 'A' && s[0] <= 'T') ||
              (n == 3 && ((s[0] >= 'A' && s[0] <= 'T') || s[0] == 'Z') &&
               isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]));
    return ok || refuse(code, message, "invalid_code",
                        "应为 GB/T 4754 行业代码（门类字母或门类加两位大类，如 C38）");
}

bool codes_check_phone(const char *s, const char **code, const char **message)
{
    const char *p = s;
    if (strncmp(p, "+86", 3) == 0)
        p += 3;
    while (*p == ' ' || *p == '-')
        p++;
    char digits[24];
    size_t n = 0;
    bool ok = true;
    for (; *p && ok; p++) {
        if (isdigit((unsigned char)*p))
            ok = n < sizeof digits - 1 && (digits[n++] = *p);
        else
            ok = *p == '-' || *p == ' ';
    }
    digits[n] = '\0';
    bool mobile = n == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9';
    bool landline = n >= 10 && n <= 12 && digits[0] == '0';
    return (ok && (mobile || landline)) ||
           refuse(code, message, "invalid_phone", "应为手机号（11 位）或带区号的固定电话");
}

bool codes_check_email(const char *s, const char **code, const char **message)
{
    const char *at = strchr(s, '@');
    bool ok = at && at != s && strchr(at + 1, '@') == NULL && strlen(s) <= 254;
    const char *dot = ok ? strrchr(at, '.') : NULL;
    ok = ok && dot && dot > at + 1 && dot[1] != '\0';
    for (const char *p = s; ok && *p; p++)
        ok = (unsigned char)*p > 0x20 && *p != ',' && *p != ';' && *p != '<' && *p != '>';
    return ok || refuse(code, message, "invalid_email", "电子邮箱格式不正确");
}

char codes_id_check_char(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!isdigit((unsigned char)first17[i]))
            return 0;
        sum += (first17[i] - '0') * weights[i];
    }
    return "10X98765432"[sum % 11];
}

/* YYYYMMDD at p, a real calendar date from 1900 on. */
static bool id_birth_date_ok(const char *p)
{
    int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    int m = (p[4] - '0') * 10 + (p[5] - '0');
    int d = (p[6] - '0') * 10 + (p[7] - '0');
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

bool codes_check_id_number(const char *s, const char **code, const char **message)
{
    if (strlen(s) != 18 || !all_digits_prefix(s, 17))
        return refuse(code, message, "invalid_id_number", "身份证号应为 18 位（前 17 位为数字）");
    if (!id_birth_date_ok(s + 6))
        return refuse(code, message, "invalid_id_number", "身份证号中的出生日期无效");
    char last = (char)toupper((unsigned char)s[17]);
    if (codes_id_check_char(s) != last)
        return refuse(code, message, "invalid_check_character", "身份证号校验位不正确（GB 11643）");
    return true;
}
