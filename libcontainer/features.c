/* features.c: `sbx features`, the runtime-spec features.md document:
 * what this build of sbx recognises, independent of the host kernel
 * (except seccomp's supportedFlags and the apparmor/selinux "enabled",
 * which say what works here). */
#include <stdio.h>
#include <stdlib.h>

#include "caps.h"
#include "config.h"
#include "error.h"
#include "idmap.h"
#include "json.h"
#include "label.h"
#include "mounts.h"
#include "procattrs.h"
#include "spec.h"
#include "seccomp.h"

static void
strv (struct json_buf *b, const char *key, const char *const *v)
{
  json_key (b, key);
  json_open (b, '[');
  for (size_t i = 0; v[i] != NULL; i++)
    json_str (b, v[i]);
  json_close (b, ']');
}

static void
linux_part (struct json_buf *b)
{
  json_key (b, "linux");
  json_open (b, '{');
  json_key (b, "namespaces");
  json_open (b, '[');
  for (int t = 0; t < SPEC_NS_COUNT; t++)
    json_str (b, spec_ns_type_to_string (t));
  json_close (b, ']');
  json_key (b, "capabilities");
  json_open (b, '[');
  for (int i = 0; caps_name (i) != NULL; i++)
    json_str (b, caps_name (i));
  json_close (b, ']');
  json_key (b, "cgroup");
#ifdef HAVE_SYSTEMD
  json_raw (b, "{\"v1\":false,\"v2\":true,\"systemd\":true,\"systemdUser\":true,\"rdma\":true}");
#else
  json_raw (b, "{\"v1\":false,\"v2\":true,\"systemd\":false,\"systemdUser\":false,\"rdma\":true}");
#endif
  json_key (b, "seccomp");
  json_open (b, '{');
  json_key (b, "enabled");
  json_bool (b, seccomp_built_in);
  if (seccomp_built_in)
    {
      strv (b, "actions", seccomp_known_actions);
      strv (b, "operators", seccomp_known_operators);
      strv (b, "archs", seccomp_known_archs);
      strv (b, "knownFlags", seccomp_known_flags);
      strv (b, "supportedFlags", seccomp_supported_flags ());
    }
  json_close (b, '}');
  /* A label is refused where its LSM is off (label.c): say so here. */
  json_key (b, "apparmor");
  json_raw (b, label_apparmor_enabled () ? "{\"enabled\":true}" : "{\"enabled\":false}");
  json_key (b, "selinux");
  json_raw (b, label_selinux_enabled () ? "{\"enabled\":true}" : "{\"enabled\":false}");
  json_key (b, "intelRdt");
  json_raw (b, "{\"enabled\":false}");
  json_key (b, "memoryPolicy");
  json_open (b, '{');
  json_key (b, "modes");
  json_open (b, '[');
  for (size_t i = 0; procattrs_mpol_mode_name (i) != NULL; i++)
    json_str (b, procattrs_mpol_mode_name (i));
  json_close (b, ']');
  json_key (b, "flags");
  json_open (b, '[');
  for (size_t i = 0; procattrs_mpol_flag_name (i) != NULL; i++)
    json_str (b, procattrs_mpol_flag_name (i));
  json_close (b, ']');
  json_close (b, '}');
  json_key (b, "netDevices");
  json_raw (b, "{\"enabled\":true}");
  json_key (b, "mountExtensions");
  /* What this kernel can do (idmap.c refuses the rest per filesystem). */
  json_raw (b, idmap_supported () ? "{\"idmap\":{\"enabled\":true}}" : "{\"idmap\":{\"enabled\":false}}");
  json_close (b, '}');
}

int
sbx_features_print (FILE *out, sbx_error_t *err)
{
  static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
                                       "startContainer", "poststart", "poststop", NULL };
  struct json_buf b = { 0 };

  json_open (&b, '{');
  json_kv_str (&b, "ociVersionMin", "1.0.0");
  json_kv_str (&b, "ociVersionMax", SBX_OCI_VERSION);
  strv (&b, "hooks", hooks);
  json_key (&b, "mountOptions");
  json_open (&b, '[');
  for (size_t i = 0; mount_opt_name (i) != NULL; i++)
    json_str (&b, mount_opt_name (i));
  json_close (&b, ']');
  linux_part (&b);
  json_key (&b, "annotations");
  json_open (&b, '{');
  json_kv_str (&b, "org.opencontainers.runtime-spec.features.sbx.version", PACKAGE_VERSION);
  /* runc's key: `checkpoint` and `restore` exist (through the criu
     binary; whether this kernel lets criu work is `criu check`'s answer). */
  json_kv_str (&b, "org.opencontainers.runc.checkpoint.enabled", "true");
  if (seccomp_built_in)
    json_kv_str (&b, "io.github.seccomp.libseccomp.version", SBX_SECCOMP_VERSION);
  json_close (&b, '}');
  json_close (&b, '}');
  if (b.failed)
    {
      json_buf_free (&b);
      return sbx_error_set (err, 12, "format features");
    }
  fprintf (out, "%s\n", b.s);
  json_buf_free (&b);
  return 0;
}
