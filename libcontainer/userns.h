/* userns.h: uid/gid maps of a new user namespace, written by the parent
 * through its own /proc handle to the child. */
#ifndef SBX_USERNS_H
#define SBX_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

/* "0 100000 65536\n..." into buf; -1 with an error if it does not fit or
 * a range overflows 32 bits. */
int userns_format_map (const struct spec_id_mappings *m, char *buf, size_t len,
                       sbx_error_t *err);
/* Write setgroups (deny when unprivileged and mapping only its own gid),
 * uid_map, gid_map of pid: directly, or through newuidmap/newgidmap when
 * an unprivileged caller maps more than its own id. */
int userns_write_id_maps (pid_t pid, const struct spec_id_mappings *uids,
                          const struct spec_id_mappings *gids, sbx_error_t *err);
/* The same with the config's linux.uidMappings/gidMappings. */
int userns_write_maps (pid_t pid, const struct sbx_spec *spec, sbx_error_t *err);
/* A user namespace carrying these maps (no process left in it): an fd for
 * MOUNT_ATTR_IDMAP. Root only. */
int userns_open_with_maps (const struct spec_id_mappings *uids,
                           const struct spec_id_mappings *gids, sbx_error_t *err);

/* The host id of container id ID; an unmapped id stays as it is. */
uint32_t userns_host_id (const struct spec_id_mappings *m, uint32_t id);
/* Parent side, as root, with a new user namespace and no terminal: give
 * the stdio pipes to the process user as mapped (the init, inside, may not
 * chown a pipe whose owner, host root, is unmapped there). */
int userns_chown_stdio (const struct sbx_spec *spec, const struct spec_process *p,
                        sbx_error_t *err);

#endif
