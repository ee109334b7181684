/* netdev.h: linux.netDevices: host interfaces moved into the container's
 * network namespace by the parent, over rtnetlink. */
#ifndef SBX_NETDEV_H
#define SBX_NETDEV_H

#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

/* Before any fork: root, a network namespace of the container's own, the
 * host interfaces exist, the new names are valid. */
int netdev_check (const struct sbx_spec *spec, sbx_error_t *err);
/* Move every device into the network namespace of pid (the waiting init;
 * joined_netns_fd instead when >= 0), renamed, with its permanent global
 * addresses, and set it up. */
int netdev_move_all (const struct sbx_spec *spec, pid_t pid, int joined_netns_fd, sbx_error_t *err);

#endif
