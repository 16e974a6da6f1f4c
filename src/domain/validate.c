/* Field-spec driven validation of request bodies (pure: cJSON only). */
#include "domain/validate.h"

#include "core/json_strict.h"
#include "core/utf8.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void validation_add(struct validation *v, const char *field, const char *code, const char *message)
{
    if (v->errors == NULL)
        v->errors = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToArray(v->errors, e);
}

void validation_free(struct validation *v)
{
    cJSON_Delete(v->errors);
    cJSON_Delete(v->clean);
    v->errors = NULL;
    v->clean = NULL;
    v->forbidden_field = NULL;
}

/* Byte length of a white-space code point at s, or 0. */
static size_t space_at(const unsigned char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0) /* U+00A0 no-break space */
        return 2;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 ideographic space */
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xAF)) /* U+2000..200B, U+202F */
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) /* U+FEFF BOM */
        return 3;
    return 0;
}

char *validate_trim(char *s)
{
    size_t n;
    char *start = s;
    while (*start && (n = space_at((const unsigned char *)start)) > 0)
        start += n;
    if (start != s)
        memmove(s, start, strlen(start) + 1);
    /* Scan forward, remembering where the trailing run of white space starts. */
    char *end = s + strlen(s), *trail = NULL, *p = s;
    while (p < end) {
        n = space_at((const unsigned char *)p);
        if (n > 0) {
            if (trail == NULL)
                trail = p;
            p += n;
        } else {
            trail = NULL;
            p++;
        }
    }
    if (trail)
        *trail = '\0';
    return s;
}

bool validate_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = days[m - 1] + (m == 2 && leap);
    return d <= max;
}

static const struct field_spec *find_spec(const struct field_spec *specs, const char *name)
{
    for (; specs->name; specs++)
        if (strcmp(specs->name, name) == 0)
            return specs;
    return NULL;
}

static bool has_control(const char *s, bool allow_newlines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(allow_newlines && (*p == '\n' || *p == '\t' || *p == '\r'))) ||
            *p == 0x7f)
            return true;
    return false;
}

/* Validates one string against the spec's bounds; returns the trimmed copy or NULL. */
static char *check_string(const struct field_spec *f, const char *raw, const char *field,
                          struct validation *v)
{
    char *s = strdup(raw);
    validate_trim(s);
    char msg[160];
    if (has_control(s, f->type == FIELD_TEXT)) {
        validation_add(v, field, "invalid_character", "含有不允许的控制字符");
        free(s);
        return NULL;
    }
    size_t len = utf8_length(s, strlen(s));
    long long min = f->min > 0 ? f->min : (f->flags & FIELD_REQUIRED ? 1 : 0);
    if ((long long)len < min || (f->max > 0 && (long long)len > f->max)) {
        if (len == 0)
            snprintf(msg, sizeof msg, "不能为空");
        else
            snprintf(msg, sizeof msg, "长度应在 %lld 到 %lld 个字符之间", min, f->max);
        validation_add(v, field, len == 0 ? "required" : "length", msg);
        free(s);
        return NULL;
    }
    const char *code = NULL, *message = NULL;
    if (f->check && len > 0 && !f->check(s, &code, &message)) {
        validation_add(v, field, code ? code : "invalid", message ? message : "格式无效");
        free(s);
        return NULL;
    }
    return s;
}

static bool in_values(const char *s, const char *const *values)
{
    for (; values && *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

static cJSON *check_array(const struct field_spec *f, const cJSON *item, struct validation *v)
{
    if (!cJSON_IsArray(item)) {
        validation_add(v, f->name, "type", "应为数组");
        return NULL;
    }
    int n = cJSON_GetArraySize(item);
    if (f->max_items > 0 && n > f->max_items) {
        char msg[64];
        snprintf(msg, sizeof msg, "最多 %d 项", f->max_items);
        validation_add(v, f->name, "too_many", msg);
        return NULL;
    }
    cJSON *out = cJSON_CreateArray();
    int index = 0;
    const cJSON *el;
    cJSON_ArrayForEach(el, item)
    {
        char field[96];
        snprintf(field, sizeof field, "%s[%d]", f->name, index++);
        if (!cJSON_IsString(el)) {
            validation_add(v, field, "type", "应为字符串");
            cJSON_Delete(out);
            return NULL;
        }
        char *s;
        if (f->type == FIELD_ENUM_ARRAY) {
            if (!in_values(el->valuestring, f->values)) {
                validation_add(v, field, "invalid_value", "取值不在允许范围内");
                cJSON_Delete(out);
                return NULL;
            }
            s = strdup(el->valuestring);
        } else {
            s = check_string(f, el->valuestring, field, v);
            if (s == NULL) {
                cJSON_Delete(out);
                return NULL;
            }
        }
        bool dup = false;
        const cJSON *prev;
        cJSON_ArrayForEach(prev, out)
        {
            dup |= strcmp(prev->valuestring, s) == 0;
        }
        if (!dup)
            cJSON_AddItemToArray(out, cJSON_CreateString(s));
        free(s);
    }
    return out;
}

/* Returns the clean value of one present, non-null field, or NULL after adding an error. */
static cJSON *check_value(const struct field_spec *f, const cJSON *item, struct validation *v)
{
    char msg[160];
    switch (f->type) {
    case FIELD_STRING:
    case FIELD_TEXT:
    case FIELD_DATE:
    case FIELD_ENUM: {
        if (!cJSON_IsString(item)) {
            validation_add(v, f->name, "type", "应为字符串");
            return NULL;
        }
        if (f->type == FIELD_ENUM) {
            if (!in_values(item->valuestring, f->values)) {
                validation_add(v, f->name, "invalid_value", "取值不在允许范围内");
                return NULL;
            }
            return cJSON_CreateString(item->valuestring);
        }
        if (f->type == FIELD_DATE) {
            if (!validate_date(item->valuestring)) {
                validation_add(v, f->name, "invalid_date", "应为有效日期，格式 YYYY-MM-DD");
                return NULL;
            }
            return cJSON_CreateString(item->valuestring);
        }
        char *s = check_string(f, item->valuestring, f->name, v);
        if (s == NULL)
            return NULL;
        cJSON *out = cJSON_CreateString(s);
        free(s);
        return out;
    }
    case FIELD_INT: {
        int64_t n;
        if (!cJSON_IsNumber(item) || !json_get_int64(item, INT64_MIN / 2, INT64_MAX / 2, &n)) {
            validation_add(v, f->name, "type", "应为整数");
            return NULL;
        }
        if (n < f->min || n > f->max) {
            snprintf(msg, sizeof msg, "应在 %lld 到 %lld 之间", f->min, f->max);
            validation_add(v, f->name, "out_of_range", msg);
            return NULL;
        }
        return cJSON_CreateNumber((double)n);
    }
    case FIELD_NUMBER: {
        if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble)) {
            validation_add(v, f->name, "type", "应为数字");
            return NULL;
        }
        double d = item->valuedouble;
        if (d < (double)f->min || d > (double)f->max) {
            snprintf(msg, sizeof msg, "应在 %lld 到 %lld 之间", f->min, f->max);
            validation_add(v, f->name, "out_of_range", msg);
            return NULL;
        }
        return cJSON_CreateNumber(d);
    }
    case FIELD_BOOL:
        if (!cJSON_IsBool(item)) {
            validation_add(v, f->name, "type", "应为 true 或 false");
            return NULL;
        }
        return cJSON_CreateBool(cJSON_IsTrue(item));
    case FIELD_ENUM_ARRAY:
    case FIELD_STRING_ARRAY:
        return check_array(f, item, v);
    }
    return NULL;
}

bool validate_body(const cJSON *body, const struct field_spec *specs, enum validate_mode mode,
                   unsigned role, struct validation *v)
{
    memset(v, 0, sizeof *v);
    v->clean = cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach(item, body)
    {
        const struct field_spec *f = find_spec(specs, item->string);
        if (f == NULL) {
            validation_add(v, item->string, "unknown_field", "不支持的字段");
            continue;
        }
        if ((f->flags & FIELD_READ_ONLY) || (f->roles && !(f->roles & role)) ||
            (mode == VALIDATE_PATCH && (f->flags & FIELD_IMMUTABLE))) {
            if (v->forbidden_field == NULL)
                v->forbidden_field = f->name;
            continue;
        }
        if (cJSON_IsNull(item)) {
            if (!(f->flags & FIELD_NULLABLE)) {
                validation_add(v, f->name, "required", "不能为空");
                continue;
            }
            cJSON_AddNullToObject(v->clean, f->name);
            continue;
        }
        cJSON *value = check_value(f, item, v);
        if (value)
            cJSON_AddItemToObject(v->clean, f->name, value);
    }
    if (mode == VALIDATE_CREATE)
        for (const struct field_spec *f = specs; f->name; f++)
            if ((f->flags & FIELD_REQUIRED) && !cJSON_GetObjectItemCaseSensitive(body, f->name))
                validation_add(v, f->name, "required", "必填");
    return v->errors == NULL && v->forbidden_field == NULL;
}

bool validate_datetime(const char *s)
{
    /* RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
    size_t n = strlen(s);
    if (n < 20 || n > 35)
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!validate_date(date) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *p = s + 11;
    for (int i = 0; i < 8; i++)
        if ((i == 2 || i == 5) ? p[i] != ':' : (p[i] < '0' || p[i] > '9'))
            return false;
    if (atoi(p) > 23 || atoi(p + 3) > 59 || atoi(p + 6) > 60)
        return false;
    p += 8;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':')
        return false;
    for (int i = 1; i < 6; i++)
        if (i != 3 && (p[i] < '0' || p[i] > '9'))
            return false;
    return atoi(p + 1) <= 23 && atoi(p + 4) <= 59;
}
