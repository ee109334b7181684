/* rootfs.h: turning the bundle's root.path into the container's "/":
 * propagation, the self bind, config mounts, /dev, pivot_root, and the
 * finishing touches (read-only root, rootfsPropagation). */
#ifndef SBX_ROOTFS_H
#define SBX_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "process.h"
#include "sbx.h"
#include "spec.h"

/* Before pivot: returns an O_PATH fd of the new root with all mounts done. */
int rootfs_prepare (const struct create_plan *plan, const struct create_fds *fds, sbx_error_t *err);
/* Parent side, as root, before the clone: a detached recursive clone of
 * root.path, a slave (or private, prop) of the host's mounts, for the init
 * to attach (create_fds.rootfs_fd). */
int rootfs_clone (const char *rootfs, uint64_t prop, sbx_error_t *err);
int rootfs_pivot (int rootfd, bool no_pivot, sbx_error_t *err);
/* After pivot (and after /dev/console): read-only root, propagation. */
int rootfs_finalize (const struct sbx_spec *spec, sbx_error_t *err);
/* Before pivot: a detached clone of the host's /dev/null, checked to be
 * char 1:3, to mask files with (an image's /dev/null is never used). */
int rootfs_open_null (sbx_error_t *err);
/* After pivot: linux.maskedPaths (files: /dev/null, directories: an empty
 * read-only tmpfs) and linux.readonlyPaths (read-only bind onto itself). */
int rootfs_mask_paths (const struct sbx_spec *spec, int nullfd, sbx_error_t *err);
/* MS_* propagation flag of rootfsPropagation ("rslave" -> MS_SLAVE|MS_REC). */
int rootfs_propagation_flags (const char *name, unsigned long *flags);

#endif
