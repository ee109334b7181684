/* devices.h: the container's /dev nodes: the default set every runtime
 * provides, and linux.devices. mknod where allowed; in a user namespace,
 * bind mounts of the host's nodes opened by the parent. */
#ifndef SBX_DEVICES_H
#define SBX_DEVICES_H

#include <stdbool.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

struct dev_node
{
  const char *path;  /* inside the container */
  char type;         /* 'c', 'b', 'p' */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  uid_t host_uid;    /* uid, gid as the user namespace maps them */
  gid_t host_gid;
};

/* The nodes to create: defaults (when the config mounts /dev) plus
 * linux.devices, the latter overriding a default of the same path. */
int devices_list (const struct sbx_spec *spec, struct dev_node **out, size_t *n,
                  sbx_error_t *err);
/* Parent side, user namespaces only: open_tree clones of the host nodes
 * (nosuid, noexec); as root, a node the host lacks is made on a private
 * tmpfs. */
int devices_open_host (const struct dev_node *nodes, size_t n, int *fds,
                       sbx_error_t *err);
/* Child side, before pivot_root. fds may be NULL (mknod). */
int devices_create (int rootfd, const struct dev_node *nodes, size_t n,
                    const int *fds, sbx_error_t *err);
/* /dev/ptmx, /dev/fd, /dev/std{in,out,err} symlinks. */
int devices_symlinks (int rootfd, sbx_error_t *err);
bool devices_config_mounts_dev (const struct sbx_spec *spec);
/* Refuse a rootfs whose /dev is a symlink when the config mounts /dev. */
int devices_check_dev_dir (int rootfd, const struct sbx_spec *spec, sbx_error_t *err);

#endif
