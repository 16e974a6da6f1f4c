/* Evidence files: allowed types and their first bytes, safe file names (Chinese kept, paths,
 * controls and bidirectional overrides dropped, length cut before the extension), and the
 * Content-Disposition headers read from uploads and written on downloads. */
#include "domain/evidence_file.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_types_by_media_and_extension)
{
    const struct evidence_type *pdf = evidence_type_of_media("Application/PDF; charset=binary");
    ck_assert_ptr_nonnull(pdf);
    ck_assert_str_eq(pdf->ext, "pdf");
    ck_assert_ptr_eq(evidence_type_of_name("证明.PDF"), pdf);
    ck_assert_ptr_eq(evidence_type_of_name("photo.jpeg"), evidence_type_of_media("image/jpeg"));
    ck_assert_ptr_null(evidence_type_of_media("application/x-msdownload"));
    ck_assert_ptr_null(evidence_type_of_media("text/html"));
    ck_assert_ptr_null(evidence_type_of_media(NULL));
    ck_assert_ptr_null(evidence_type_of_name("run.exe"));
    ck_assert_ptr_null(evidence_type_of_name(".pdf"));
    ck_assert_ptr_null(evidence_type_of_name("noext"));
}
END_TEST

START_TEST(test_content_must_match_the_type)
{
    const struct evidence_type *pdf = evidence_type_of_media("application/pdf");
    const struct evidence_type *png = evidence_type_of_media("image/png");
    const struct evidence_type *docx = evidence_type_of_name("a.docx");
    const struct evidence_type *xls = evidence_type_of_name("a.xls");
    ck_assert(evidence_type_matches(pdf, "%PDF-1.7\n", 9));
    ck_assert(!evidence_type_matches(pdf, "MZ\x90\x00", 4));
    ck_assert(!evidence_type_matches(pdf, "%PD", 3));
    ck_assert(evidence_type_matches(png, "\x89PNG\r\n\x1A\n....", 12));
    ck_assert(evidence_type_matches(docx, "PK\x03\x04", 4));
    ck_assert(!evidence_type_matches(docx, "%PDF-", 5));
    ck_assert(evidence_type_matches(xls, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8));
}
END_TEST

START_TEST(test_names_are_cleaned)
{
    const struct evidence_type *pdf = evidence_type_of_media("application/pdf");
    char out[EVIDENCE_NAME_BYTES];
    ck_assert(evidence_name_clean("制度建设 证明材料.pdf", pdf, out));
    ck_assert_str_eq(out, "制度建设 证明材料.pdf");
    ck_assert(evidence_name_clean("C:\\Users\\张三\\桌面\\专利证书.PDF", pdf, out));
    ck_assert_str_eq(out, "专利证书.PDF");
    ck_assert(evidence_name_clean("../../etc/passwd", pdf, out));
    ck_assert_str_eq(out, "passwd.pdf");
    ck_assert(evidence_name_clean("a\x01"
                                  "b\tc:d*e?.pdf",
                                  pdf, out));
    ck_assert_str_eq(out, "abc_d_e_.pdf");
    /* U+202E (right-to-left override) would show "证明fdp.exe" as "证明exe.pdf". */
    ck_assert(evidence_name_clean("证明\xE2\x80\xAE"
                                  "fdp.exe",
                                  pdf, out));
    ck_assert_str_eq(out, "证明fdp.exe.pdf");
    ck_assert(evidence_name_clean("  .hidden.pdf. ", pdf, out));
    ck_assert_str_eq(out, "hidden.pdf");
    ck_assert(!evidence_name_clean(" . ", pdf, out));
    ck_assert(!evidence_name_clean("\xFF\xFE", pdf, out));
    ck_assert(!evidence_name_clean("dir/", pdf, out));
    /* 150 Chinese characters: cut to 100 code points, the extension kept. */
    char lon[1024] = "";
    for (int i = 0; i < 150; i++)
        strcat(lon, "证");
    strcat(lon, ".pdf");
    ck_assert(evidence_name_clean(lon, pdf, out));
    ck_assert_uint_eq(strlen(out), 96 * 3 + 4);
    ck_assert_str_eq(out + 96 * 3, ".pdf");
}
END_TEST

START_TEST(test_upload_disposition_names)
{
    char out[256];
    ck_assert(evidence_disposition_name(
        "attachment; filename=\"a.pdf\"; filename*=UTF-8''%E8%AF%81%E6%98%8E.pdf", out,
        sizeof out));
    ck_assert_str_eq(out, "证明.pdf");
    ck_assert(evidence_disposition_name("form-data; name=\"f\"; filename=\"x \\\"y\\\".pdf\"", out,
                                        sizeof out));
    ck_assert_str_eq(out, "x \"y\".pdf");
    ck_assert(evidence_disposition_name("attachment; filename=plain.png", out, sizeof out));
    ck_assert_str_eq(out, "plain.png");
    ck_assert(!evidence_disposition_name("attachment", out, sizeof out));
    ck_assert(!evidence_disposition_name("attachment; filename*=UTF-8''%E8%A", out, sizeof out));
    ck_assert(!evidence_disposition_name("attachment; filename*=UTF-8''%00", out, sizeof out));
    ck_assert(!evidence_disposition_name("attachment; filename=\"open", out, sizeof out));
    ck_assert(!evidence_disposition_name(NULL, out, sizeof out));
}
END_TEST

START_TEST(test_download_disposition_header)
{
    char out[256];
    ck_assert_uint_gt(evidence_disposition_header("证明 1.pdf", "evidence-7.pdf", out, sizeof out),
                      0);
    ck_assert_str_eq(out, "attachment; filename=\"evidence-7.pdf\"; "
                          "filename*=UTF-8''%E8%AF%81%E6%98%8E%201.pdf");
    ck_assert_uint_eq(evidence_disposition_header("证明.pdf", "e.pdf", out, 40), 0);
}
END_TEST

static Suite *evidence_file_suite(void)
{
    Suite *s = suite_create("evidence_file");
    TCase *tc = tcase_create("evidence_file");
    tcase_add_test(tc, test_types_by_media_and_extension);
    tcase_add_test(tc, test_content_must_match_the_type);
    tcase_add_test(tc, test_names_are_cleaned);
    tcase_add_test(tc, test_upload_disposition_names);
    tcase_add_test(tc, test_download_disposition_header);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(evidence_file_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
