/* sbx spec [--rootless] [--bundle DIR]: write a default config.json. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_spec (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "rootless", no_argument, NULL, 'r' },
    { "bundle", required_argument, NULL, 'b' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  const char *bundle = NULL;
  bool rootless = false;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+b:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'r':
        rootless = true;
        break;
      case 'b':
        bundle = optarg;
        break;
      case 'h':
        printf ("Usage: sbx spec [--rootless] [-b|--bundle DIR]\n\n"
                "Write a default config.json (busybox `sh` on a terminal) into DIR.\n");
        return 0;
      default:
        return cli_usage (ctx, "spec", "unknown option `%s`", argv[optind - 1]);
      }
  if (optind != argc)
    return cli_usage (ctx, "spec", "takes no arguments");
  if (sbx_spec_generate (bundle, rootless, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
