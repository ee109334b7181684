/* mount-target.h: where a config.json mount may land, and the O_PATH fd
 * it is attached to. */
#ifndef SBX_MOUNT_TARGET_H
#define SBX_MOUNT_TARGET_H

#include <stdbool.h>

#include "sbx.h"
#include "spec.h"

/* Create (if missing) and open the target of mount m inside rootfd, as a
 * directory or a file, after the checks of mount-target.c; source_fd is
 * the bind source (-1 for a new filesystem). */
int mount_target_open (int rootfd, const struct sbx_spec *spec, const struct spec_mount *m,
                       int source_fd, bool is_dir, sbx_error_t *err);

/* Is dest, as written, one of the /proc files a mount may cover (lxcfs'
 * files, and the config's own maskedPaths and readonlyPaths)? */
bool mount_target_proc_allowed (const struct sbx_spec *spec, const char *dest);

#endif
