/* sbx ps [--format table|json] ID: the processes in the container's cgroup. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_ps (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  bool json = false;
  const char *id;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+f:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "table") != 0)
          return cli_usage (ctx, "ps", "--format must be table or json");
        json = strcmp (optarg, "json") == 0;
        break;
      case 'h':
        printf ("Usage: sbx ps [-f|--format table|json] ID\n\n"
                "List the host pids of the container's processes (json: a bare array).\n");
        return 0;
      default:
        return cli_usage (ctx, "ps", "unknown option `%s`", argv[optind - 1]);
      }
  id = cli_one_id (ctx, "ps", argc, argv, optind);
  if (id == NULL)
    return 1;
  if (sbx_container_ps (ctx, id, json, stdout, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
