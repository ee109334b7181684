/* spec.c: config.json -> struct sbx_spec. Owns the entry points (load,
 * parse, free), the top level, process, root, mounts and hooks, and the
 * namespace names. JSON mechanics are in spec-json.c, the "linux" object
 * in spec-linux.c; cross-field checks belong to validate.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "spec-internal.h"

/* ---- process ---- */

#define PROC(kind, key, m) SPEC_F (struct spec_process, kind, key, m)
#define PROC_H(kind, key, m, has)                                             \
  SPEC_FH (struct spec_process, kind, key, m, has)
static const struct spec_field process_fields[] = {
  PROC (SK_BOOL, "terminal", terminal),
  PROC (SK_STR, "commandLine", command_line),
  PROC (SK_STRV, "env", env),
  PROC (SK_BOOL, "noNewPrivileges", no_new_privileges),
  PROC (SK_STR, "apparmorProfile", apparmor_profile),
  PROC_H (SK_I32, "oomScoreAdj", oom_score_adj, has_oom_score_adj),
  PROC (SK_STR, "selinuxLabel", selinux_label),
};

static const struct spec_field console_fields[] = {
  SPEC_FR (struct spec_process, SK_U32, "height", console_height),
  SPEC_FR (struct spec_process, SK_U32, "width", console_width),
};

static const struct spec_field affinity_fields[] = {
  PROC (SK_STR, "initial", exec_cpu_affinity_initial),
  PROC (SK_STR, "final", exec_cpu_affinity_final),
};

static const struct spec_field user_fields[] = {
  SPEC_F (struct spec_user, SK_U32, "uid", uid),
  SPEC_F (struct spec_user, SK_U32, "gid", gid),
  SPEC_FH (struct spec_user, SK_U32, "umask", umask, has_umask),
  SPEC_F (struct spec_user, SK_STR, "username", username),
};

#define CAP(key, m) SPEC_FH (struct spec_capabilities, SK_STRV, #key, key, m)
static const struct spec_field cap_fields[] = {
  CAP (bounding, has_bounding),       CAP (effective, has_effective),
  CAP (inheritable, has_inheritable), CAP (permitted, has_permitted),
  CAP (ambient, has_ambient),
};

static const struct spec_field rlimit_fields[] = {
  SPEC_FR (struct spec_rlimit, SK_STR, "type", type),
  SPEC_FR (struct spec_rlimit, SK_U64, "soft", soft),
  SPEC_FR (struct spec_rlimit, SK_U64, "hard", hard),
};

#define SCHED(kind, key, m, has)                                              \
  SPEC_FH (struct spec_scheduler, kind, key, m, has)
static const struct spec_field sched_fields[] = {
  SPEC_FR (struct spec_scheduler, SK_STR, "policy", policy),
  SCHED (SK_I32, "nice", nice, has_nice),
  SCHED (SK_I32, "priority", priority, has_priority),
  SPEC_F (struct spec_scheduler, SK_STRV, "flags", flags),
  SCHED (SK_U64, "runtime", runtime, has_runtime),
  SCHED (SK_U64, "deadline", deadline, has_deadline),
  SCHED (SK_U64, "period", period, has_period),
};

static const struct spec_field ioprio_fields[] = {
  SPEC_FR (struct spec_io_priority, SK_STR, "class", klass),
  SPEC_F (struct spec_io_priority, SK_I32, "priority", priority),
};

static int
parse_rlimit (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  return spec_parse_fields (v, path, rlimit_fields, SPEC_N (rlimit_fields),
                            elem, err);
}

static int
parse_user (yajl_val obj, const char *path, struct spec_user *u,
            sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN], elem[SPEC_PATH_LEN];
  yajl_val user, gids;
  size_t i;
  int r;

  r = spec_parse_sub (obj, "user", path, user_fields, SPEC_N (user_fields),
                      u, NULL, err);
  if (r <= 0)
    return r;
  /* (uid_t) -1 is "leave unchanged" to setresuid/setresgid: the process
     would keep the runtime's root. */
  spec_join (sub, path, "user");
  if (u->uid == UINT32_MAX || u->gid == UINT32_MAX)
    return spec_fail (err, sub, NULL, "uid and gid must be below 4294967295");
  user = spec_get (obj, "user");
  gids = spec_get (user, "additionalGids");
  if (gids == NULL)
    return 0;
  spec_join (sub, path, "user.additionalGids");
  if (!YAJL_IS_ARRAY (gids))
    return spec_fail (err, sub, NULL, "expected array");
  if (gids->u.array.len == 0)
    return 0;
  u->additional_gids = calloc (gids->u.array.len, sizeof (uint32_t));
  if (u->additional_gids == NULL)
    return spec_oom (err, sub);
  u->n_additional_gids = gids->u.array.len;
  for (i = 0; i < gids->u.array.len; i++)
    {
      spec_index (elem, sub, i);
      if (spec_parse_value (gids->u.array.values[i], elem, SK_U32,
                     &u->additional_gids[i], err)
          < 0)
        return -1;
    }
  return 0;
}

static int
parse_args (yajl_val obj, const char *path, struct spec_strv *out,
            sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  yajl_val v = spec_get (obj, "args");
  bool ok = YAJL_IS_ARRAY (v) && v->u.array.len > 0;
  size_t i;

  for (i = 0; ok && i < v->u.array.len; i++)
    ok = YAJL_IS_STRING (v->u.array.values[i]);
  if (!ok)
    return spec_fail (err, path, "args",
                      "must be a non-empty array of strings");
  spec_join (sub, path, "args");
  return spec_parse_value (v, sub, SK_STRV, out, err);
}

static int
parse_process_value (yajl_val v, const char *path, struct spec_process **out,
                     sbx_error_t *err)
{
  static const struct spec_field cwd_field[] = {
    SPEC_FR (struct spec_process, SK_STR, "cwd", cwd),
  };
  struct spec_process *p;

  if (spec_expect_object (v, path, err) < 0)
    return -1;
  p = calloc (1, sizeof *p);
  if (p == NULL)
    return spec_oom (err, path);
  *out = p;
  if (parse_args (v, path, &p->args, err) < 0
      || spec_parse_fields (v, path, cwd_field, 1, p, err) < 0)
    return -1;
  if (!spec_is_absolute (p->cwd))
    return spec_fail (err, path, "cwd", "must be an absolute path");
  if (spec_parse_fields (v, path, process_fields, SPEC_N (process_fields), p,
                         err)
          < 0
      || spec_parse_sub (v, "consoleSize", path, console_fields,
                         SPEC_N (console_fields), p, &p->has_console_size,
                         err)
             < 0
      || parse_user (v, path, &p->user, err) < 0
      || spec_parse_alloc (v, "capabilities", path,
                           sizeof (struct spec_capabilities), &p->capabilities,
                           cap_fields, SPEC_N (cap_fields), err)
             < 0
      || spec_parse_array (v, "rlimits", path, sizeof (struct spec_rlimit),
                           &p->rlimits, &p->n_rlimits, parse_rlimit, err)
             < 0
      || spec_parse_alloc (v, "scheduler", path,
                           sizeof (struct spec_scheduler), &p->scheduler,
                           sched_fields, SPEC_N (sched_fields), err)
             < 0
      || spec_parse_alloc (v, "ioPriority", path,
                           sizeof (struct spec_io_priority), &p->io_priority,
                           ioprio_fields, SPEC_N (ioprio_fields), err)
             < 0
      || spec_parse_sub (v, "execCPUAffinity", path, affinity_fields,
                         SPEC_N (affinity_fields), p, NULL, err)
             < 0)
    return -1;
  return 0;
}

void
spec_process_free (struct spec_process *p)
{
  size_t i;

  if (p == NULL)
    return;
  spec_strv_free (&p->args);
  free (p->cwd);
  spec_free_fields (process_fields, SPEC_N (process_fields), p);
  spec_free_fields (affinity_fields, SPEC_N (affinity_fields), p);
  spec_free_fields (user_fields, SPEC_N (user_fields), &p->user);
  free (p->user.additional_gids);
  spec_free_fields (cap_fields, SPEC_N (cap_fields), p->capabilities);
  free (p->capabilities);
  for (i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  spec_free_fields (sched_fields, SPEC_N (sched_fields), p->scheduler);
  free (p->scheduler);
  spec_free_fields (ioprio_fields, SPEC_N (ioprio_fields), p->io_priority);
  free (p->io_priority);
  free (p);
}

/* ---- root, mounts, hooks ---- */

static const struct spec_field root_fields[] = {
  SPEC_FR (struct spec_root, SK_STR, "path", path),
  SPEC_F (struct spec_root, SK_BOOL, "readonly", readonly),
};

static const struct spec_field mount_fields[] = {
  SPEC_FR (struct spec_mount, SK_STR, "destination", destination),
  SPEC_F (struct spec_mount, SK_STR, "type", type),
  SPEC_F (struct spec_mount, SK_STR, "source", source),
  SPEC_F (struct spec_mount, SK_STRV, "options", options),
};

static int
parse_mount (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  struct spec_mount *m = elem;

  if (spec_parse_fields (v, path, mount_fields, SPEC_N (mount_fields), m, err)
          < 0
      || spec_parse_id_mappings (v, "uidMappings", path, &m->uid_mappings,
                                 err)
             < 0
      || spec_parse_id_mappings (v, "gidMappings", path, &m->gid_mappings,
                                 err)
             < 0)
    return -1;
  return 0;
}

static const struct spec_field hook_fields[] = {
  SPEC_FR (struct spec_hook, SK_STR, "path", path),
  SPEC_F (struct spec_hook, SK_STRV, "args", args),
  SPEC_F (struct spec_hook, SK_STRV, "env", env),
  SPEC_FH (struct spec_hook, SK_I32, "timeout", timeout, has_timeout),
};

static int
parse_hook (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  struct spec_hook *h = elem;

  if (spec_parse_fields (v, path, hook_fields, SPEC_N (hook_fields), h, err)
      < 0)
    return -1;
  if (!spec_is_absolute (h->path))
    return spec_fail (err, path, "path", "must be an absolute path");
  if (h->has_timeout && h->timeout <= 0)
    return spec_fail (err, path, "timeout", "must be greater than zero");
  return 0;
}

static const struct
{
  const char *key;
  size_t off;
} hook_lists[] = {
  { "prestart", offsetof (struct spec_hooks, prestart) },
  { "createRuntime", offsetof (struct spec_hooks, create_runtime) },
  { "createContainer", offsetof (struct spec_hooks, create_container) },
  { "startContainer", offsetof (struct spec_hooks, start_container) },
  { "poststart", offsetof (struct spec_hooks, poststart) },
  { "poststop", offsetof (struct spec_hooks, poststop) },
};

static int
parse_hooks (yajl_val obj, struct spec_hooks **out, sbx_error_t *err)
{
  yajl_val v;
  size_t i;
  int r;

  r = spec_get_object (obj, "hooks", "", &v, err);
  if (r <= 0)
    return r;
  *out = calloc (1, sizeof **out);
  if (*out == NULL)
    return spec_oom (err, "hooks");
  for (i = 0; i < SPEC_N (hook_lists); i++)
    {
      struct spec_hook_list *l
          = (struct spec_hook_list *) ((char *) *out + hook_lists[i].off);
      if (spec_parse_array (v, hook_lists[i].key, "hooks",
                            sizeof (struct spec_hook), &l->v, &l->n,
                            parse_hook, err)
          < 0)
        return -1;
    }
  return 0;
}

static void
hooks_free (struct spec_hooks *h)
{
  size_t i, j;

  if (h == NULL)
    return;
  for (i = 0; i < SPEC_N (hook_lists); i++)
    {
      struct spec_hook_list *l
          = (struct spec_hook_list *) ((char *) h + hook_lists[i].off);
      for (j = 0; j < l->n; j++)
        spec_free_fields (hook_fields, SPEC_N (hook_fields), &l->v[j]);
      free (l->v);
    }
  free (h);
}

/* ---- top level ---- */

static const struct spec_field spec_fields[] = {
  SPEC_FR (struct sbx_spec, SK_STR, "ociVersion", oci_version),
  SPEC_F (struct sbx_spec, SK_STR, "hostname", hostname),
  SPEC_F (struct sbx_spec, SK_STR, "domainname", domainname),
  SPEC_F (struct sbx_spec, SK_MAP, "annotations", annotations),
};

/* Any 1.x is accepted: minor versions only add optional fields. */
static int
check_oci_version (const char *v, sbx_error_t *err)
{
  if (v[0] != '1' || (v[1] != '\0' && v[1] != '.'))
    return sbx_error_set (err, 0, "ociVersion: unsupported version \"%s\"",
                          v);
  return 0;
}

static int
parse_spec (yajl_val root, struct sbx_spec *s, sbx_error_t *err)
{
  yajl_val v;
  int r;

  if (spec_parse_fields (root, "", spec_fields, SPEC_N (spec_fields), s, err)
          < 0
      || check_oci_version (s->oci_version, err) < 0)
    return -1;

  r = spec_get_object (root, "process", "", &v, err);
  if (r < 0 || (r > 0 && parse_process_value (v, "process", &s->process, err)
                             < 0))
    return -1;
  if (spec_parse_alloc (root, "root", "", sizeof (struct spec_root), &s->root,
                   root_fields, SPEC_N (root_fields), err)
          < 0
      || spec_parse_array (root, "mounts", "", sizeof (struct spec_mount),
                           &s->mounts, &s->n_mounts, parse_mount, err)
             < 0
      || parse_hooks (root, &s->hooks, err) < 0)
    return -1;

  r = spec_get_object (root, "linux", "", &v, err);
  if (r < 0 || (r > 0 && spec_parse_linux (v, "linux", &s->linux_, err) < 0))
    return -1;
  return 0;
}

void
spec_free (struct sbx_spec *spec)
{
  size_t i;

  if (spec == NULL)
    return;
  spec_free_fields (spec_fields, SPEC_N (spec_fields), spec);
  spec_process_free (spec->process);
  spec_free_fields (root_fields, SPEC_N (root_fields), spec->root);
  free (spec->root);
  for (i = 0; i < spec->n_mounts; i++)
    {
      struct spec_mount *m = &spec->mounts[i];
      spec_free_fields (mount_fields, SPEC_N (mount_fields), m);
      free (m->uid_mappings.v);
      free (m->gid_mappings.v);
    }
  free (spec->mounts);
  hooks_free (spec->hooks);
  spec_linux_free (spec->linux_);
  free (spec);
}

struct sbx_spec *
spec_parse (const char *buf, size_t len, sbx_error_t *err)
{
  _cleanup_yajl_ yajl_val root = spec_parse_document (buf, len, err);
  struct sbx_spec *spec;

  if (root == NULL)
    return NULL;
  spec = calloc (1, sizeof *spec);
  if (spec == NULL)
    {
      spec_oom (err, "");
      return NULL;
    }
  if (parse_spec (root, spec, err) < 0)
    {
      spec_free (spec);
      return NULL;
    }
  return spec;
}

struct spec_process *
spec_parse_process (const char *buf, size_t len, sbx_error_t *err)
{
  _cleanup_yajl_ yajl_val root = spec_parse_document (buf, len, err);
  struct spec_process *p = NULL;

  if (root == NULL)
    return NULL;
  if (parse_process_value (root, "", &p, err) < 0)
    {
      spec_process_free (p);
      return NULL;
    }
  return p;
}

struct spec_resources *
spec_parse_resources (const char *buf, size_t len, sbx_error_t *err)
{
  _cleanup_yajl_ yajl_val root = spec_parse_document (buf, len, err);
  struct spec_resources *r = NULL;

  if (root == NULL)
    return NULL;
  if (spec_parse_resources_value (root, "", &r, err) < 0)
    {
      spec_resources_free (r);
      return NULL;
    }
  return r;
}

static char *
read_file (const char *path, size_t *len, sbx_error_t *err)
{
  _cleanup_fd_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  _cleanup_free_ char *buf = NULL;
  struct stat st;
  size_t n = 0;

  if (fd < 0)
    return sbx_error_errno (err, "open `%s`", path), NULL;
  if (fstat (fd, &st) < 0)
    return sbx_error_errno (err, "stat `%s`", path), NULL;
  if (st.st_size > SPEC_MAX_SIZE)
    return sbx_error_set (err, 0, "%s: file too large", path), NULL;
  /* Read one byte past the cap: st_size lies for some files (/proc). */
  buf = malloc (SPEC_MAX_SIZE + 1);
  if (buf == NULL)
    return sbx_error_set (err, ENOMEM, "read `%s`", path), NULL;
  for (;;)
    {
      ssize_t r = read (fd, buf + n, SPEC_MAX_SIZE + 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return sbx_error_errno (err, "read `%s`", path), NULL;
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > SPEC_MAX_SIZE)
        return sbx_error_set (err, 0, "%s: file too large", path), NULL;
    }
  *len = n;
  return take_ptr (&buf);
}

struct sbx_spec *
spec_load (const char *path, sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  struct sbx_spec *spec;
  size_t len = 0;

  buf = read_file (path, &len, err);
  if (buf == NULL)
    return NULL;
  spec = spec_parse (buf, len, err);
  if (spec == NULL)
    sbx_error_wrap (err, "%s", path);
  return spec;
}

/* ---- namespaces ---- */

static const char *const ns_names[SPEC_NS_COUNT] = {
  [SPEC_NS_PID] = "pid",       [SPEC_NS_NETWORK] = "network",
  [SPEC_NS_MOUNT] = "mount",   [SPEC_NS_IPC] = "ipc",
  [SPEC_NS_UTS] = "uts",       [SPEC_NS_USER] = "user",
  [SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

int
spec_ns_type_from_string (const char *s)
{
  int i;

  if (s == NULL)
    return -1;
  for (i = 0; i < SPEC_NS_COUNT; i++)
    if (strcmp (s, ns_names[i]) == 0)
      return i;
  return -1;
}

const char *
spec_ns_type_to_string (enum spec_ns_type t)
{
  if ((unsigned) t >= SPEC_NS_COUNT)
    return NULL;
  return ns_names[t];
}

const struct spec_namespace *
spec_linux_namespace (const struct sbx_spec *s, enum spec_ns_type t)
{
  size_t i;

  if (s == NULL || s->linux_ == NULL)
    return NULL;
  for (i = 0; i < s->linux_->n_namespaces; i++)
    if (s->linux_->namespaces[i].type == t)
      return &s->linux_->namespaces[i];
  return NULL;
}
