/* sbx check: is this host ready to run untrusted code in containers? */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_check (struct sbx_context *ctx, int argc, char **argv)
{
  sbx_error_t err = { 0 };
  bool json = false;
  int fails;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
        {
          printf ("Usage: sbx check [--format text|json]\n\n"
                  "Check this host's readiness for sandboxing: cgroup v2 and its controllers, user\n"
                  "namespaces and subordinate ranges, idmapped mounts, openat2, clone3, seccomp\n"
                  "notify, AppArmor/SELinux, where the sbx binary sits, unprivileged BPF.\n"
                  "One line per item: ok, info, warn or FAIL, with what to do. Exit 1 on a FAIL.\n");
          return 0;
        }
      if (strcmp (argv[i], "--format") == 0 && i + 1 < argc)
        {
          if (cli_format (ctx, "check", argv[++i], &json) != 0)
            return 1;
          continue;
        }
      return cli_usage (ctx, "check", "unknown argument `%s`", argv[i]);
    }
  fails = sbx_host_check (stdout, json, &err);
  if (fails < 0)
    return cli_fail (ctx, &err);
  return fails > 0 ? 1 : 0;
}
