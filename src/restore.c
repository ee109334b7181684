/* sbx restore [OPTIONS] ID: a new container from checkpoint images (runc's
 * options), through criu restore. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
help (void)
{
  printf ("Usage: sbx restore [OPTIONS] ID\n\n"
          "Create container ID from checkpoint images (criu restore): the bundle's\n"
          "config gives the cgroup, its limits, mounts and namespaces to join.\n"
          "Waits for the container unless --detach, like run.\n\n"
          "  -b, --bundle DIR                bundle directory holding config.json (default: .)\n"
          "      --image-path DIR            the images (default ./checkpoint)\n"
          "      --work-path DIR             where criu writes its log (default: the image path)\n"
          "  -d, --detach                    do not wait for the container\n"
          "      --pid-file FILE             write the restored init's host pid here\n"
          "      --console-socket SOCK       process.terminal: where the new pty master is sent\n"
          "      --no-pivot                  accepted (criu sets up the root itself)\n"
          "      --no-subreaper              do not become a subreaper (needs --detach)\n"
          "      --tcp-established           restore established TCP connections\n"
          "      --ext-unix-sk               allow external unix sockets\n"
          "      --shell-job                 a shell job: keep the caller's terminal\n"
          "      --file-locks                restore file locks\n"
          "      --manage-cgroups-mode MODE  soft (default), full, strict or ignore\n"
          "      --empty-ns network          make the network namespace empty (hooks fill it)\n"
          "      --auto-dedup                deduplicate restored pages from the images\n"
          "      --lazy-pages                restore the memory lazily from a running\n"
          "                                  `criu lazy-pages` daemon (same work path)\n"
          "  -h, --help                      show this help\n");
}

int
cmd_restore (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "image-path", required_argument, NULL, 'i' },
    { "work-path", required_argument, NULL, 'w' },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' },
    { "no-pivot", no_argument, NULL, 'P' },
    { "no-subreaper", no_argument, NULL, 'S' },
    { "tcp-established", no_argument, NULL, 't' },
    { "ext-unix-sk", no_argument, NULL, 'u' },
    { "shell-job", no_argument, NULL, 'j' },
    { "file-locks", no_argument, NULL, 'l' },
    { "manage-cgroups-mode", required_argument, NULL, 'm' },
    { "empty-ns", required_argument, NULL, 'e' },
    { "auto-dedup", no_argument, NULL, 'a' },
    { "lazy-pages", no_argument, NULL, 'L' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct sbx_restore_opts o = { .struct_size = sizeof o };
  sbx_error_t err = { 0 };
  const char *id;
  int c, r;

  o.create.struct_size = sizeof o.create;
  /* Single-dash long options too, as runc takes them: containerd's
     go-runc passes `-no-subreaper`. */
  optind = 0;
  while ((c = getopt_long_only (argc, argv, "+b:dh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'b':
        o.create.bundle = optarg;
        break;
      case 'd':
        o.create.detach = true;
        break;
      case 'p':
        o.create.pid_file = optarg;
        break;
      case 'c':
        o.create.console_socket = optarg;
        break;
      case 'P':
        o.create.no_pivot = true;
        break;
      case 'S':
        o.no_subreaper = true;
        break;
      case 'h':
        help ();
        return 0;
      default:
        {
          int k = cli_criu_option (ctx, "restore", c, optarg, &o.criu);
          if (k < 0)
            return 1;
          if (k == 0)
            return cli_usage (ctx, "restore", "unknown option `%s`", argv[optind - 1]);
        }
      }
  id = cli_one_id (ctx, "restore", argc, argv, optind);
  if (id == NULL)
    return 1;
  r = sbx_container_restore (ctx, id, &o, &err);
  if (r < 0)
    return cli_fail (ctx, &err);
  return r;
}
