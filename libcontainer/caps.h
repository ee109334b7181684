/* caps.h: process.capabilities, applied around the uid/gid switch so a
 * non-root user keeps exactly the capabilities the config asks for. */
#ifndef SBX_CAPS_H
#define SBX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "sbx.h"
#include "spec.h"

struct caps_sets
{
  bool present;               /* process.capabilities given at all */
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* Names -> bit masks. An unknown name is an error naming it; a name the
 * running kernel lacks is skipped with a warning. Runs in the parent
 * (before any fork) so bad input fails early. */
int caps_parse (const struct spec_capabilities *c, struct caps_sets *out,
                sbx_error_t *err);
/* Before setresuid: drop the bounding set, keep caps across the switch. */
int caps_prepare_switch (const struct caps_sets *s, sbx_error_t *err);
/* After setresuid: set effective/permitted/inheritable, then ambient. */
int caps_apply (const struct caps_sets *s, sbx_error_t *err);
/* Bit number of "CAP_SYS_ADMIN" (also accepts "SYS_ADMIN"); -1 if unknown. */
int caps_from_name (const char *name);
/* "CAP_CHOWN" ... for bit i of this table, NULL past the end. */
const char *caps_name (int i);
/* Highest capability number the running kernel knows. */
int caps_last_cap (void);

#endif
