/* Zip and workbook fixtures for the import tests. */
#include "xlsx_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

char *fixture_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

char *fixture_zip(const struct zip_part *parts, size_t n, size_t *len)
{
    char path[] = "/tmp/siku-fixture-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    int err;
    zip_t *z = zip_open(path, ZIP_TRUNCATE | ZIP_CREATE, &err);
    if (z == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t l = parts[i].len ? parts[i].len : strlen(parts[i].data);
        zip_source_t *s = zip_source_buffer(z, parts[i].data, l, 0);
        if (s == NULL || zip_file_add(z, parts[i].name, s, ZIP_FL_OVERWRITE) < 0) {
            zip_discard(z);
            return NULL;
        }
    }
    if (zip_close(z) != 0)
        return NULL;
    char *out = fixture_read_file(path, len);
    unlink(path);
    return out;
}

char *fixture_xlsx(const char *sheet_xml, const char *styles_xml, const char *shared_xml,
                   size_t *len)
{
    static const char *workbook =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
        " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/>"
        "<sheet name=\"other\" sheetId=\"2\" r:id=\"rId9\"/></sheets></workbook>";
    static const char *rels =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/styles\" Target=\"styles.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        "</Relationships>";
    static const char *other =
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>second</t></is>"
        "</c></row></sheetData></worksheet>";
    struct zip_part parts[6] = {
        {"xl/workbook.xml", workbook, 0},
        {"xl/_rels/workbook.xml.rels", rels, 0},
        {"xl/worksheets/sheet1.xml", sheet_xml, 0},
        {"xl/worksheets/sheet2.xml", other, 0},
    };
    size_t n = 4;
    if (styles_xml)
        parts[n++] = (struct zip_part){"xl/styles.xml", styles_xml, 0};
    if (shared_xml)
        parts[n++] = (struct zip_part){"xl/sharedStrings.xml", shared_xml, 0};
    return fixture_zip(parts, n, len);
}
