/* sbx list [-q] [--format table|json]: the containers in the state root. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_list (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  enum sbx_list_format fmt = SBX_LIST_TABLE;
  bool quiet = false;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+qf:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'f':
        if (strcmp (optarg, "json") == 0)
          fmt = SBX_LIST_JSON;
        else if (strcmp (optarg, "table") == 0)
          fmt = SBX_LIST_TABLE;
        else
          return cli_usage (ctx, "list", "--format must be table or json, not `%s`", optarg);
        break;
      case 'h':
        printf ("Usage: sbx list [-q|--quiet] [-f|--format table|json]\n\nList containers.\n");
        return 0;
      default:
        return cli_usage (ctx, "list", "unknown option `%s`", argv[optind - 1]);
      }
  if (optind != argc)
    return cli_usage (ctx, "list", "takes no arguments");
  if (sbx_container_list (ctx, fmt, quiet, stdout, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
