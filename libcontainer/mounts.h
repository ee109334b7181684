/* mounts.h: config.json mounts -> the new mount API. The option table
 * (mount_opts_parse) is pure and unit-tested. Bind sources are opened by
 * the parent (open_tree) before any user namespace exists; the child moves
 * them, and creates every other filesystem with fsopen/fsmount, onto
 * targets it resolved inside the rootfs by fd. */
#ifndef SBX_MOUNTS_H
#define SBX_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sbx.h"
#include "spec.h"

struct mount_opts
{
  uint64_t attr_set, attr_clr;      /* MOUNT_ATTR_* on the top mount */
  uint64_t rec_set, rec_clr;        /* "r" options: the whole tree */
  uint64_t propagation;             /* MS_PRIVATE, MS_SHARED ... or 0 */
  bool prop_recursive;
  bool bind, rbind;
  bool atime_set;                   /* an atime option was given */
  bool tmpcopyup;
  struct spec_strv flags;           /* fsconfig flags: "newinstance", "sync" */
  struct spec_map data;             /* fsconfig key=value: "size" -> "64k" */
};

/* The option names the table knows (for `sbx features`). */
const char *mount_opt_name (size_t i); /* NULL past the end */
int mount_opts_parse (const struct spec_strv *options, struct mount_opts *o,
                      sbx_error_t *err);
void mount_opts_free (struct mount_opts *o);
bool mount_is_bind (const struct spec_mount *m);
/* Refuse what sbx cannot do (idmapped mounts, an option a bind mount
 * would drop, tmpcopyup off a tmpfs), naming mounts[i]. Before any fork. */
int mounts_check (const struct sbx_spec *spec, sbx_error_t *err);

/* Parent side: for each bind mount, a detached tree (OPEN_TREE_CLONE) with
 * its attributes already set; -1 for other mounts. fds has n_mounts slots.
 * bundle resolves relative sources. */
int mounts_open_sources (const struct sbx_spec *spec, const char *bundle,
                         int *fds, sbx_error_t *err);
void mounts_close_sources (int *fds, size_t n);

/* One bind source as a detached tree with its attributes set; a mount
 * without a propagation option gets default_prop (0: left as cloned). */
int mounts_open_bind_source (const struct spec_mount *m, const char *bundle,
                             uint64_t default_prop, sbx_error_t *err);
/* The propagation a bind source gets when its options name none, from
 * linux.rootfsPropagation: slave by default, private for (r)private, and
 * 0 (left a peer of the host's mount) for (r)shared. */
uint64_t mounts_bind_propagation (const char *rootfs_propagation);
/* Child side: perform mount i onto its destination inside rootfd. */
int mounts_apply_one (int rootfd, const struct sbx_spec *spec, const struct spec_mount *m,
                      int source_fd, sbx_error_t *err);

#endif
