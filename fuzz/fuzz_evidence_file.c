/* libFuzzer harness: an evidence upload's names and bytes as src/api/workstation_evidence.c
 * takes them. The input is "Content-Disposition value \n Content-Type value \n file bytes":
 * the file name read from the header (filename* or filename), the type from the media type or
 * the name, the check of the file's first bytes against every type, the stored name, and the
 * Content-Disposition of its download. */
#include "domain/evidence_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *next_field(char **cursor)
{
    char *start = *cursor, *nl = strchr(start, '\n');
    if (nl == NULL) {
        *cursor = start + strlen(start);
        return start;
    }
    *nl = '\0';
    *cursor = nl + 1;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *cursor = text;
    const char *disposition = next_field(&cursor);
    const char *media = next_field(&cursor);
    /* The file: the rest of the input, bytes as they are (NULs included). */
    size_t off = (size_t)(cursor - text);
    const uint8_t *file = off < size ? data + off : NULL;
    size_t file_len = off < size ? size - off : 0;

    static const char *const medias[] = {"application/pdf", "image/jpeg", "image/png",
                                         "application/zip", "application/msword"};
    for (size_t i = 0; i < sizeof medias / sizeof medias[0]; i++) {
        const struct evidence_type *t = evidence_type_of_media(medias[i]);
        if (t != NULL && file_len > 0)
            (void)evidence_type_matches(t, file, file_len);
    }

    char raw[1024];
    if (evidence_disposition_name(disposition, raw, sizeof raw)) {
        if (strlen(raw) >= sizeof raw)
            abort();
        const struct evidence_type *t = evidence_type_of_media(media);
        if (t == NULL)
            t = evidence_type_of_name(raw);
        if (t != NULL) {
            char name[EVIDENCE_NAME_BYTES];
            if (evidence_name_clean(raw, t, name)) {
                if (strlen(name) >= EVIDENCE_NAME_BYTES || strchr(name, '/') != NULL)
                    abort();
                char ascii[64];
                strcpy(ascii, "evidence-12.");
                strcat(ascii, t->ext);
                size_t cap = strlen(name) * 3 + strlen(ascii) + 64;
                char *disp = malloc(cap);
                if (evidence_disposition_header(name, ascii, disp, cap) == 0)
                    abort(); /* the download's buffer is sized to always fit */
                free(disp);
            }
        }
    }
    free(text);
    return 0;
}
