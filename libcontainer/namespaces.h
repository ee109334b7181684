/* namespaces.h: namespace types <-> clone flags, opening and joining the
 * namespaces config.json names by path. Id maps are userns.c. */
#ifndef SBX_NAMESPACES_H
#define SBX_NAMESPACES_H

#include "sbx.h"
#include "spec.h"

/* CLONE_NEW* for a namespace type. */
int ns_clone_flag (enum spec_ns_type t);
/* Flags of the namespaces to create with clone (entries without a path).
 * Left out: CLONE_NEWTIME (the parent prepares it, see process.c) and
 * CLONE_NEWCGROUP (the init unshares it once it sits in its own cgroup, so
 * that cgroup becomes the namespace root). */
int ns_new_flags (const struct sbx_spec *spec);
/* Open every namespace path (fds[type], -1 where none), checking with
 * NS_GET_NSTYPE that each really is a namespace of that type. */
int ns_open_paths (const struct sbx_spec *spec, int fds[SPEC_NS_COUNT],
                   sbx_error_t *err);
void ns_close_fds (int fds[SPEC_NS_COUNT]);
/* In a new network namespace: bring `lo` up, as runc does. NETNS: that
   namespace's fd (entered for the socket, then left), or -1 for the
   caller's own. */
int ns_loopback_up (int netns, sbx_error_t *err);
/* Join one namespace by fd. */
int ns_join (int fd, enum spec_ns_type t, sbx_error_t *err);

#endif
