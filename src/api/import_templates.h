/* The downloadable import templates of each library (CSV and XLSX). */
#ifndef SIKU_API_IMPORT_TEMPLATES_H
#define SIKU_API_IMPORT_TEMPLATES_H

struct http_request;

/* Makes every library's templates (once, at start-up). */
void import_templates_build(void);

void import_template_xlsx(struct http_request *req);
void import_template_csv(struct http_request *req);

#endif
