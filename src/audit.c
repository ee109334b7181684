/* sbx audit: what a bundle's config grants, and what a policy refuses. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_audit (struct sbx_context *ctx, int argc, char **argv)
{
  sbx_error_t err = { 0 };
  const char *policy = ctx->policy_path, *bundle = NULL;
  bool json = false;
  int n;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
        {
          printf ("Usage: sbx audit [--policy FILE] [--format text|json] [BUNDLE]\n\n"
                  "What the config.json of BUNDLE (default: the current directory) grants: capabilities\n"
                  "(and the dangerous ones), namespaces shared with the host, host paths and devices,\n"
                  "seccomp and the escape-relevant syscalls it leaves allowed, no_new_privs, read-only\n"
                  "rootfs, user namespace. With a policy (here or the global --policy), every rule the\n"
                  "config breaks. Exit 1 when it breaks one.\n");
          return 0;
        }
      if (strcmp (argv[i], "--policy") == 0 && i + 1 < argc)
        policy = argv[++i];
      else if (strcmp (argv[i], "--format") == 0 && i + 1 < argc)
        {
          if (cli_format (ctx, "audit", argv[++i], &json) != 0)
            return 1;
        }
      else if (argv[i][0] == '-' || bundle != NULL)
        return cli_usage (ctx, "audit", "unknown argument `%s`", argv[i]);
      else
        bundle = argv[i];
    }
  n = sbx_audit (bundle, policy, json, stdout, &err);
  if (n < 0)
    return cli_fail (ctx, &err);
  return n > 0 ? 1 : 0;
}
