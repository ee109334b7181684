/* sbx features: what this runtime supports (runtime-spec features.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_features (struct sbx_context *ctx, int argc, char **argv)
{
  sbx_error_t err = { 0 };

  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      printf ("Usage: sbx features\n\nPrint the features this runtime supports as JSON.\n");
      return 0;
    }
  if (argc > 1)
    return cli_usage (ctx, "features", "takes no arguments");
  if (sbx_features_print (stdout, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
