/* libFuzzer harness: the format checks of codes and contact details (credit code, region,
 * discipline and industry codes, phones, e-mail, identity numbers) and the date, date-time
 * and trimming helpers of validation, on any string. */
#include "domain/codes.h"
#include "domain/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool (*fn)(const char *, const char **, const char **), const char *s)
{
    const char *code = NULL, *message = NULL;
    if (!fn(s, &code, &message) && message == NULL)
        abort(); /* a refusal says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    check(codes_check_credit_code, s);
    check(codes_check_region_code, s);
    check(codes_check_discipline_code, s);
    check(codes_check_industry_code, s);
    check(codes_check_phone, s);
    check(codes_check_email, s);
    check(codes_check_id_number, s);
    if (strlen(s) >= 17) {
        (void)codes_credit_check_char(s);
        (void)codes_id_check_char(s);
    }
    (void)validate_date(s);
    (void)validate_datetime(s);
    validate_trim(s);
    free(s);
    return 0;
}
