/* userns.h: uid/gid maps of a new user namespace, written by the parent
 * through its own /proc handle to the child. */
#ifndef SBX_USERNS_H
#define SBX_USERNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

/* "0 100000 65536\n..." into buf; -1 with an error if it does not fit or
 * a range overflows 32 bits. */
int userns_format_map (const struct spec_id_mappings *m, char *buf, size_t len,
                       sbx_error_t *err);
/* Write setgroups (deny when unprivileged), uid_map, gid_map of pid. */
int userns_write_maps (pid_t pid, const struct sbx_spec *spec, sbx_error_t *err);

/* The host id of container id ID; an unmapped id stays as it is. */
uint32_t userns_host_id (const struct spec_id_mappings *m, uint32_t id);
/* Parent side, as root, with a new user namespace and no terminal: give
 * the stdio pipes to the process user as mapped (the init, inside, may not
 * chown a pipe whose owner, host root, is unmapped there). */
int userns_chown_stdio (const struct sbx_spec *spec, const struct spec_process *p,
                        sbx_error_t *err);

#endif
