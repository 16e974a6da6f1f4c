/* Matching demands with experts: the ranking routes (matching.c), the match workflow routes
 * (matches.c) and the refresh of the word statistics the ranking reads (match_stats.c). */
#ifndef SIKU_API_MATCHING_H
#define SIKU_API_MATCHING_H

struct app_worker;

/* The service modes (PRODUCT.md), NULL-terminated. */
extern const char *const match_service_modes[];

/* Worker 0 copies the planner's word statistics into expert_lexeme_stats every few minutes
 * (and soon after start); the others do nothing. */
void match_stats_register(void);
void match_stats_start(struct app_worker *w);
void match_stats_stop(struct app_worker *w);

#endif
