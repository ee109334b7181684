/* systemd-bus.h: asking systemd, over D-Bus with sd-bus, for the unit that
 * holds a container (a transient scope), changing its properties, stopping
 * it. Linked only into the sbx-systemd helper (src/sbx-systemd.c): sbx
 * itself stays a static binary, and libsystemd is loaded only when
 * --systemd-cgroup is used. */
#ifndef SBX_SYSTEMD_BUS_H
#define SBX_SYSTEMD_BUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"

/* A property as "Name=value" (MemoryMax=67108864, Delegate=yes,
   AllowedCPUs=0-1, TasksMax=infinity); the type comes from a table of the
   names systemd knows. An unknown name is an error. */
struct sdbus_props
{
  char **v;
  size_t n;
};

/* StartTransientUnit(unit, "replace", props + PIDs=[pid]) and wait for the
   job to finish; an error when it did not end "done". */
int sdbus_start_unit (const char *unit, pid_t pid, const struct sdbus_props *p, sbx_error_t *err);
/* SetUnitProperties(unit, runtime=true, props). */
int sdbus_set_properties (const char *unit, const struct sdbus_props *p, sbx_error_t *err);
/* StopUnit(unit, "replace") and wait; a unit systemd does not know
   (already gone) is not an error. */
int sdbus_stop_unit (const char *unit, sbx_error_t *err);
/* Dispatch BUS's messages until *DONE is set (by a callback) or DEADLINE
   (CLOCK_MONOTONIC, µs) passes, however many other messages keep coming:
   0, -ETIMEDOUT, or sd-bus's negative errno. */
struct sd_bus;
int sdbus_process_until (struct sd_bus *bus, char *const *done, uint64_t deadline);
/* The manager's own cgroup, as its ControlGroup property says (for a user
   manager "/user.slice/user-1000.slice/user@1000.service"); malloc'd. */
int sdbus_manager_cgroup (char **out, sbx_error_t *err);

#endif
