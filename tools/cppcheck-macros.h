/* Definitions cppcheck needs for the BSD queue macros of <sys/queue.h>, which it does not
 * read as a system header (scripts/lint passes this file with --include). */
#define TAILQ_HEAD(name, type)                                                                    \
    struct name {                                                                                 \
        struct type *tqh_first;                                                                   \
        struct type **tqh_last;                                                                   \
    }
#define TAILQ_ENTRY(type)                                                                         \
    struct {                                                                                      \
        struct type *tqe_next;                                                                    \
        struct type **tqe_prev;                                                                   \
    }
