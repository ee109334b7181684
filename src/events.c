/* sbx events [--stats] [--interval N] ID: stats (and OOM events) as JSON lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int
cmd_events (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "stats", no_argument, NULL, 's' },
    { "interval", required_argument, NULL, 'i' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  bool stats = false;
  unsigned interval = 5;
  const char *id;
  char *end;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case 's':
        stats = true;
        break;
      case 'i':
        interval = (unsigned) strtoul (optarg, &end, 10);
        if (*end == 's')
          end++;
        if (*end != '\0' || interval == 0)
          return cli_usage (ctx, "events", "--interval: `%s` is not a number of seconds", optarg);
        break;
      case 'h':
        printf ("Usage: sbx events [--stats] [--interval SECONDS] ID\n\n"
                "Print the container's statistics as one JSON line (--stats), or every\n"
                "interval until it stops, with an {\"type\":\"oom\"} line after each OOM kill.\n");
        return 0;
      default:
        return cli_usage (ctx, "events", "unknown option `%s`", argv[optind - 1]);
      }
  id = cli_one_id (ctx, "events", argc, argv, optind);
  if (id == NULL)
    return 1;
  if (sbx_container_events (ctx, id, stats, interval, stdout, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
