/* label.h: LSM labels: process.selinuxLabel, process.apparmorProfile and
 * linux.mountLabel. On a host where the LSM is not enabled, a label is
 * an error naming the field (as in runc): never a silent skip. */
#ifndef SBX_LABEL_H
#define SBX_LABEL_H

#include <stdbool.h>

#include "sbx.h"
#include "spec.h"

bool label_selinux_enabled (void);
bool label_apparmor_enabled (void);
/* Refuse a label the host's LSMs cannot apply (mount_label may be NULL).
 * Called before any fork, for create and for exec. */
int label_check (const struct spec_process *p, const char *mount_label, sbx_error_t *err);
int label_check_lsm (const struct spec_process *p, const char *mount_label, bool selinux,
                     bool apparmor, sbx_error_t *err);
/* The exec-time labels, written through procfd (a private procfs of the
 * init, see sysctl.h) into the thread's attr files: they apply at execve. */
int label_apply_exec (const struct spec_process *p, int procfd, sbx_error_t *err);
/* The same with the LSMs' state given (unit tests: any directory with
 * thread-self/attr/... files stands in for procfs). */
int label_apply_exec_lsm (const struct spec_process *p, int procfd, bool selinux, bool apparmor,
                          sbx_error_t *err);
/* The text written to attr/apparmor/exec (or attr/exec) for a profile. */
int label_apparmor_exec_text (const char *profile, char *buf, size_t len);
/* linux.mountLabel to pass as "context=" to new mounts, or NULL. */
const char *label_mount_context (const struct sbx_spec *spec);

#endif
