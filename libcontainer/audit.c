/* audit.c: `sbx audit`, what a config grants a container (capabilities,
 * namespaces shared with the host, host paths and devices it reaches, the
 * escape-relevant syscalls its seccomp filter leaves allowed) and, with a
 * policy, every rule it breaks. It reads config.json only; nothing runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "json.h"
#include "mounts.h"
#include "policy.h"
#include "sbx.h"
#include "spec.h"

/* Capabilities that on their own open a way out or across (mounts,
   ptrace, raw devices, kernel modules, bpf, the network stack). */
static const char *const dangerous_caps[] = {
  "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH",
  "CAP_NET_ADMIN", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_BOOT", "CAP_SYS_TIME", "CAP_MAC_ADMIN",
  "CAP_MAC_OVERRIDE", "CAP_SYSLOG", "CAP_SYS_RESOURCE", "CAP_LINUX_IMMUTABLE", "CAP_SETFCAP",
};

/* Syscalls behind known container escapes and kernel exploits. */
static const char *const dangerous_syscalls[] = {
  "unshare", "setns", "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "pivot_root",
  "keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open", "io_uring_setup",
  "ptrace", "process_vm_writev", "process_vm_readv", "open_by_handle_at", "name_to_handle_at",
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "modify_ldt",
  "personality", "iopl", "ioperm", "swapon", "reboot", "syslog", "acct", "clock_settime",
  "settimeofday", "quotactl", "lookup_dcookie", "vm86",
};

struct report
{
  struct json_buf b;
  bool json;
  FILE *out;
  bool first;
};

static bool
in_strv (const struct spec_strv *v, const char *s)
{
  for (size_t i = 0; v != NULL && i < v->n; i++)
    if (strcmp (v->v[i], s) == 0)
      return true;
  return false;
}

static bool
allows (const char *action)
{
  return strcmp (action, "SCMP_ACT_ALLOW") == 0 || strcmp (action, "SCMP_ACT_LOG") == 0;
}

/* "allowed", "conditional" (a rule with arguments) or NULL (denied) */
static const char *
syscall_fate (const struct spec_seccomp *sc, const char *name)
{
  bool named = false, named_allow = false, cond = false;

  if (sc == NULL)
    return "allowed";
  /* An allowing rule with argument conditions lets some calls through
     whatever the unconditional rules of the same syscall say. */
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *r = &sc->syscalls[i];
      if (!in_strv (&r->names, name))
        continue;
      if (r->n_args > 0)
        cond = cond || allows (r->action);
      else
        {
          named = true;
          named_allow = named_allow || allows (r->action);
        }
    }
  if (named_allow)
    return "allowed";
  if (cond)
    return "conditional";
  if (named)
    return NULL;
  return allows (sc->default_action) ? "allowed" : NULL;
}

static void
list (struct report *r, const char *key, const char *const *items, size_t n)
{
  if (r->json)
    {
      json_key (&r->b, key);
      json_open (&r->b, '[');
      for (size_t i = 0; i < n; i++)
        json_str (&r->b, items[i]);
      json_close (&r->b, ']');
      return;
    }
  fprintf (r->out, "%-22s", key);
  if (n == 0)
    fputs (" none", r->out);
  for (size_t i = 0; i < n; i++)
    fprintf (r->out, " %s", items[i]);
  fputc ('\n', r->out);
}

static void
flag (struct report *r, const char *key, bool v)
{
  if (r->json)
    {
      json_key (&r->b, key);
      json_bool (&r->b, v);
    }
  else
    fprintf (r->out, "%-22s %s\n", key, v ? "yes" : "no");
}

static void
audit_grants (struct report *r, const struct sbx_spec *spec)
{
  const struct spec_capabilities *c = spec->process->capabilities;
  const struct spec_linux *l = spec->linux_;
  const char *v[64];
  char buf[64][160];
  size_t n = 0;

  for (size_t i = 0; c != NULL && i < c->bounding.n && n < 64; i++)
    v[n++] = c->bounding.v[i];
  list (r, "capabilities", v, n);
  n = 0;
  for (size_t i = 0; i < sizeof dangerous_caps / sizeof dangerous_caps[0]; i++)
    if (c != NULL && in_strv (&c->bounding, dangerous_caps[i]))
      v[n++] = dangerous_caps[i];
  list (r, "dangerousCapabilities", v, n);
  n = 0;
  for (int t = 0; t < SPEC_NS_COUNT && n < 64; t++)
    {
      const struct spec_namespace *ns = spec_linux_namespace (spec, (enum spec_ns_type) t);
      if (ns == NULL || ns->path != NULL)
        {
          snprintf (buf[n], sizeof buf[n], "%s%s%s", spec_ns_type_to_string ((enum spec_ns_type) t),
                    ns ? "=" : "", ns ? ns->path : "");
          v[n] = buf[n];
          n++;
        }
    }
  list (r, "hostNamespaces", v, n);
  n = 0;
  for (size_t i = 0; i < spec->n_mounts && n < 64; i++)
    if (mount_is_bind (&spec->mounts[i]) && spec->mounts[i].source != NULL)
      {
        bool ro = in_strv (&spec->mounts[i].options, "ro") || in_strv (&spec->mounts[i].options, "rro");
        snprintf (buf[n], sizeof buf[n], "%s:%s:%s", spec->mounts[i].source, spec->mounts[i].destination,
                  ro ? "ro" : "rw");
        v[n] = buf[n];
        n++;
      }
  list (r, "hostPaths", v, n);
  n = 0;
  for (size_t i = 0; i < l->n_devices && n < 64; i++)
    {
      snprintf (buf[n], sizeof buf[n], "%s", l->devices[i].path);
      v[n] = buf[n];
      n++;
    }
  list (r, "devices", v, n);
  n = 0;
  for (size_t i = 0; i < sizeof dangerous_syscalls / sizeof dangerous_syscalls[0] && n < 64; i++)
    {
      const char *f = syscall_fate (l->seccomp, dangerous_syscalls[i]);
      if (f == NULL)
        continue;
      snprintf (buf[n], sizeof buf[n], "%s%s", dangerous_syscalls[i], strcmp (f, "allowed") ? "(args)" : "");
      v[n] = buf[n];
      n++;
    }
  flag (r, "seccomp", l->seccomp != NULL);
  list (r, "dangerousSyscalls", v, n);
  flag (r, "noNewPrivileges", spec->process->no_new_privileges);
  flag (r, "readonlyRootfs", spec->root->readonly);
  flag (r, "userNamespace", spec_linux_namespace (spec, SPEC_NS_USER) != NULL);
}

/* The namespaces the policy's harden rules would give the container. */
static void
policy_adds (struct report *r, const struct sbx_policy *p, const struct sbx_spec *spec)
{
  char user[160], net[64];
  const char *v[2];
  size_t n = 0;
  const struct spec_namespace *ns = spec_linux_namespace (spec, SPEC_NS_NETWORK);

  if (p->has_userns && spec_linux_namespace (spec, SPEC_NS_USER) == NULL)
    {
      snprintf (user, sizeof user, "user(%lld ids from %s, rootfs %s)", (long long) p->userns.size, p->userns.ids,
                p->userns.rootfs ? p->userns.rootfs : "idmap");
      v[n++] = user;
    }
  if (p->network != NULL && (ns == NULL || ns->path == NULL))
    {
      snprintf (net, sizeof net, "network(loopback only%s)", ns == NULL ? ", added" : "");
      v[n++] = net;
    }
  list (r, "policyNamespaces", v, n);
}

static void
on_violation (const char *msg, void *arg)
{
  struct report *r = arg;

  if (r->json)
    json_str (&r->b, msg);
  else
    fprintf (r->out, "REFUSE %s\n", msg);
}

int
sbx_audit (const char *bundle, const char *policy_path, bool json, FILE *out, sbx_error_t *err)
{
  _cleanup_free_ char *config = NULL, *dir = realpath (bundle ? bundle : ".", NULL);
  struct sbx_spec *spec;
  struct sbx_policy *pol = NULL;
  struct report r = { .json = json, .out = out };
  int n = 0;

  if (dir == NULL)
    return sbx_error_errno (err, "bundle `%s`", bundle ? bundle : ".");
  if (asprintf (&config, "%s/config.json", dir) < 0)
    return sbx_error_errno (err, "asprintf");
  spec = spec_load (config, err);
  if (spec == NULL)
    return sbx_error_wrap (err, "%s", config);
  if (spec->process == NULL || spec->linux_ == NULL || spec->root == NULL)
    {
      spec_free (spec);
      return sbx_error_set (err, EINVAL, "%s: process, root and linux are required", config);
    }
  if (policy_path != NULL && (pol = policy_load (policy_path, err)) == NULL)
    {
      spec_free (spec);
      return -1;
    }
  if (json)
    json_open (&r.b, '{');
  audit_grants (&r, spec);
  if (pol != NULL)
    {
      if (json)
        {
          json_key (&r.b, "policyViolations");
          json_open (&r.b, '[');
        }
      n = policy_report (pol, spec, dir, on_violation, &r, err);
      if (json)
        json_close (&r.b, ']');
      policy_adds (&r, pol, spec);
      if (!json && n == 0)
        fprintf (out, "policy: the config is within %s\n", policy_path);
    }
  if (json)
    {
      json_close (&r.b, '}');
      fprintf (out, "%s\n", r.b.failed ? "{}" : r.b.s);
      json_buf_free (&r.b);
    }
  policy_free (pol);
  spec_free (spec);
  return n;
}
