/* procattrs.h: per-process settings of process.*: rlimits, personality,
 * scheduler, I/O priority, no_new_privs. Parsing and checks happen in the
 * parent (procattrs_check); the init applies them (procattrs_apply). */
#ifndef SBX_PROCATTRS_H
#define SBX_PROCATTRS_H

#include "sbx.h"
#include "spec.h"

/* Names and values valid? (RLIMIT_* names, hard >= soft, policies...) */
int procattrs_check (const struct sbx_spec *spec, sbx_error_t *err);
/* rlimits, personality, scheduler, ioPriority: in the init, while still
 * privileged (raising a hard limit needs CAP_SYS_RESOURCE). */
int procattrs_apply (const struct sbx_spec *spec, sbx_error_t *err);
/* process.noNewPrivileges: just before seccomp, after the user switch. */
int procattrs_no_new_privs (const struct spec_process *p, sbx_error_t *err);
/* RLIMIT_NOFILE -> 7; -1 if unknown. */
int procattrs_rlimit_from_name (const char *name);

/* The linux.memoryPolicy modes and flags sbx knows (`sbx features`);
 * NULL past the end. */
const char *procattrs_mpol_mode_name (size_t i);
const char *procattrs_mpol_flag_name (size_t i);

#endif
