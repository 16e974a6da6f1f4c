/* Database constraints that express a rule about one field, and the per-field problem a
 * violation becomes (a duplicate username is a 409 on "username", not a bare 500). */
#ifndef SIKU_API_CONSTRAINTS_H
#define SIKU_API_CONSTRAINTS_H

struct constraint_field {
    const char *constraint;
    int status;
    const char *field;
    const char *code;
    const char *message;
};

/* The entry for a constraint name, or NULL. */
const struct constraint_field *constraint_lookup(const char *constraint);

/* Each resource registers the constraints its migration names (a NULL-terminated table,
 * static storage), at startup. */
void constraints_register(const struct constraint_field *table);

#endif
