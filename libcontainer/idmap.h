/* idmap.h: idmapped mounts (a mount's uidMappings/gidMappings, the idmap
 * and ridmap options) and the opt-in idmapped rootfs. */
#ifndef SBX_IDMAP_H
#define SBX_IDMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

#define IDMAP_ROOTFS_ANNOTATION "sbx.rootfs.idmap"

/* Does mount m ask for an idmapped mount (and a recursive one)? */
bool idmap_wanted (const struct spec_mount *m, bool *recursive);
/* Is the rootfs to be idmapped (annotation sbx.rootfs.idmap = "true")? */
bool idmap_rootfs_wanted (const struct sbx_spec *spec);
/* Before any fork: what is asked can be done (bind mounts only, both maps
 * or none, a user namespace to take them from, root). Names the field. */
int idmap_check (const struct sbx_spec *spec, sbx_error_t *err);
/* Does this kernel have idmapped mounts (mount_setattr)? */
bool idmap_supported (void);

/* Which bind mounts a pass idmaps: those with maps of their own (each
 * gets a user namespace made for it), those taking the container's, or
 * both. A new user namespace's maps are the init's own: the parent
 * idmaps with it once the maps are written (process.c), sparing a
 * namespace made only to carry them. */
enum idmap_pass
{
  IDMAP_ALL,
  IDMAP_OWN_MAPS,
  IDMAP_CTR_MAPS,
};

/* Parent side. ctr_userns caches a user namespace with the container's
 * maps (-1 until needed, then made; the caller closes it). */
int idmap_bind_sources (const struct sbx_spec *spec, int *fds, int *ctr_userns, enum idmap_pass pass,
                        sbx_error_t *err);
/* A detached, idmapped clone of the rootfs (its whole tree), propagation
 * prop (0: as cloned), to be moved onto the rootfs path by the init. */
int idmap_open_rootfs (const struct sbx_spec *spec, const char *rootfs, uint64_t prop,
                       int *ctr_userns, sbx_error_t *err);
/* Is root.path the root of an overlayfs mount (the engines' rootfs)?
 * Such a rootfs is idmapped by its layers (idmap-overlay.c). */
bool idmap_overlay_root (const char *rootfs);
/* A detached overlay of the same layers as the overlay mount at rootfs,
 * each layer idmapped through userns, mounted as container root's host
 * ids uid:gid; propagation prop (0: slave). */
int idmap_overlay_rootfs (const char *rootfs, int userns, uid_t uid, gid_t gid, uint64_t prop,
                          sbx_error_t *err);

#endif
