/* Evidence files (证明材料) as files: the types a report may carry (checked against the
 * file's first bytes, so that a renamed executable is not a "PDF"), file names made safe to
 * store and to send back (UTF-8 Chinese names kept), and the Content-Disposition headers of an
 * upload (read) and a download (written, RFC 6266 with an RFC 5987 filename*). Pure. */
#ifndef SIKU_DOMAIN_EVIDENCE_FILE_H
#define SIKU_DOMAIN_EVIDENCE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define EVIDENCE_NAME_MAX 100 /* code points of a stored file name */
/* Bytes of a stored name: EVIDENCE_NAME_MAX code points of up to 4 bytes, and a NUL. */
#define EVIDENCE_NAME_BYTES (EVIDENCE_NAME_MAX * 4 + 1)

struct evidence_type {
    const char *media_type; /* canonical, sent back on download */
    const char *ext;        /* without the dot */
    const char *label;      /* for messages */
};

/* The allowed type of a media type (parameters and case ignored), or NULL. */
const struct evidence_type *evidence_type_of_media(const char *content_type);

/* The allowed type a file name's extension says, or NULL. */
const struct evidence_type *evidence_type_of_name(const char *name);

/* Whether the bytes begin as a file of that type does (PDF, JPEG, PNG, zip-based office
 * documents, OLE-based legacy office documents). */
bool evidence_type_matches(const struct evidence_type *t, const void *data, size_t len);

/* "PDF、JPEG、PNG、…": the labels of every allowed type. */
const char *evidence_type_list(void);

/* A name safe to store: the last path component, control and bidirectional-override
 * characters dropped, \ / : * ? " < > | replaced by _, blanks and dots trimmed at the ends,
 * at most EVIDENCE_NAME_MAX code points (the stem is cut, the extension kept), and the type's
 * extension appended when the name has another. in must be valid UTF-8. out holds
 * EVIDENCE_NAME_BYTES. Returns false when nothing usable is left. */
bool evidence_name_clean(const char *in, const struct evidence_type *t, char *out);

/* The file name of an upload's Content-Disposition header: filename* (RFC 5987, UTF-8) when
 * present, else filename (quoted or a token). Writes it percent-decoded (not yet cleaned) to
 * out and returns true; false when there is none or it is malformed. */
bool evidence_disposition_name(const char *header, char *out, size_t cap);

/* A download's Content-Disposition: attachment; filename="<ascii>"; filename*=UTF-8''<name>.
 * ascii is the fallback for old clients (plain ASCII, no quotes). Returns the length written,
 * or 0 when out is too small. */
size_t evidence_disposition_header(const char *name, const char *ascii, char *out, size_t cap);

#endif
