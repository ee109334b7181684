/* fsutil.h: file helpers shared by several modules. Everything that
 * touches the container rootfs goes through the *_in_root() functions,
 * which resolve paths by fd, confined to the root (openat2 RESOLVE_IN_ROOT,
 * or an O_NOFOLLOW walk on kernels without openat2). */
#ifndef SBX_FSUTIL_H
#define SBX_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "sbx.h"

/* Open PATH (absolute or relative, interpreted inside rootfd) with
 * FLAGS (O_PATH etc.). Symlinks and ".." never leave rootfd. */
int open_in_root (int rootfd, const char *path, int flags, sbx_error_t *err);
/* Open PATH inside rootfd without following any symlink on the way (not
 * even one that stays inside): -1 with errno ELOOP when a component is a
 * symlink, EINVAL for a ".." component on kernels without openat2. For
 * mount targets that must be where the config says (/proc, /sys). */
int open_nofollow_in_root (int rootfd, const char *path, int flags);
/* Create every missing directory of PATH inside rootfd; return an O_PATH
 * fd of the last one. A component raced into a symlink is an error. */
int mkdirall_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err);
/* Create PATH as an empty regular file if missing (parents too); return
 * an O_PATH fd of it. */
int mkfile_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err);
/* Like mkfile_in_root, but the last component is never followed: whatever
 * the image put there that is not a regular file (a symlink to a /proc
 * file, a device node, a fifo) is removed first. For mount targets that
 * must be the path itself (CVE-2025-52565, CVE-2025-31133). */
int mkfile_replace_in_root (int rootfd, const char *path, mode_t mode, sbx_error_t *err);
/* Split PATH into its parent (created) and last component: returns the
 * parent's O_PATH fd and sets *base to a pointer into a copy in *buf. */
int parent_in_root (int rootfd, const char *path, char **buf, const char **base,
                    sbx_error_t *err);

/* Test hook: force the O_NOFOLLOW walk even when openat2 works. */
void fsutil_force_walk (int on);

/* Read a whole file at dirfd/name (name "": dirfd itself), up to max
 * bytes (NUL-terminated). */
int read_file_at (int dirfd, const char *name, char **out, size_t *len,
                  size_t max, sbx_error_t *err);
/* Write a file atomically: name.tmp then rename. */
int atomic_write_at (int dirfd, const char *name, const void *data, size_t len,
                     mode_t mode, sbx_error_t *err);
/* Write a small value into an existing file (procfs, cgroupfs). */
int write_file_at (int dirfd, const char *name, const void *data, size_t len,
                   sbx_error_t *err);
/* Remove a directory tree under dirfd/name, not following symlinks and
 * not crossing mount points. */
int rm_rf_at (int dirfd, const char *name, sbx_error_t *err);

#endif
