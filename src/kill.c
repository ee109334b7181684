/* sbx kill [--all] ID [SIGNAL]: signal the container (default SIGTERM). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int
cmd_kill (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "all", no_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  sbx_error_t err = { 0 };
  bool all = false;
  int c, signo = SIGTERM;

  optind = 0;
  while ((c = getopt_long (argc, argv, "+ah", longopts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'h':
        printf ("Usage: sbx kill [--all] ID [SIGNAL]\n\n"
                "Send SIGNAL (name with or without SIG, or number; default TERM) to the\n"
                "container's init, or with --all to every process in it.\n");
        return 0;
      default:
        return cli_usage (ctx, "kill", "unknown option `%s`", argv[optind - 1]);
      }
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage (ctx, "kill", "expected ID [SIGNAL]");
  if (argc - optind == 2 && (signo = cli_parse_signal (argv[optind + 1])) < 0)
    return cli_usage (ctx, "kill", "unknown signal `%s`", argv[optind + 1]);
  if (sbx_container_kill (ctx, argv[optind], signo, all, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
