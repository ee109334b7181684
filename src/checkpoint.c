/* sbx checkpoint [OPTIONS] ID: runc's options, through criu dump. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
help (void)
{
  printf ("Usage: sbx checkpoint [OPTIONS] ID\n\n"
          "Checkpoint a running container with CRIU (criu dump). Without\n"
          "--leave-running or --pre-dump the container is stopped and deleted.\n\n"
          "      --image-path DIR            where criu writes the images (default ./checkpoint)\n"
          "      --work-path DIR             where criu writes its log (default: the image path)\n"
          "      --parent-path DIR           a previous (pre-)dump, relative to the image path\n"
          "      --leave-running             leave the container running after the dump\n"
          "      --pre-dump                  dump memory only, for a later dump with --parent-path\n"
          "      --tcp-established           allow established TCP connections\n"
          "      --ext-unix-sk               allow external unix sockets\n"
          "      --shell-job                 allow a shell job (a terminal the caller owns)\n"
          "      --file-locks                handle file locks\n"
          "      --manage-cgroups-mode MODE  soft (default), full, strict or ignore\n"
          "      --empty-ns network          do not dump the network namespace's contents\n"
          "      --auto-dedup                deduplicate the parent's pages\n"
          "      --lazy-pages                serve the memory lazily (userfaultfd) from\n"
          "                                  --page-server, for `criu lazy-pages` and a\n"
          "                                  `restore --lazy-pages` on the other side\n"
          "      --page-server ADDR:PORT     with --lazy-pages: where criu serves the pages;\n"
          "                                  without: a `criu page-server` to send them to\n"
          "      --status-fd FD              with --lazy-pages: criu writes \\0 to FD once it serves\n"
          "  -h, --help                      show this help\n");
}

int
cmd_checkpoint (struct sbx_context *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "image-path", required_argument, NULL, 'i' },
    { "work-path", required_argument, NULL, 'w' },
    { "parent-path", required_argument, NULL, 'P' },
    { "leave-running", no_argument, NULL, 'R' },
    { "pre-dump", no_argument, NULL, 'p' },
    { "tcp-established", no_argument, NULL, 't' },
    { "ext-unix-sk", no_argument, NULL, 'u' },
    { "shell-job", no_argument, NULL, 'j' },
    { "file-locks", no_argument, NULL, 'l' },
    { "manage-cgroups-mode", required_argument, NULL, 'm' },
    { "empty-ns", required_argument, NULL, 'e' },
    { "auto-dedup", no_argument, NULL, 'a' },
    { "lazy-pages", no_argument, NULL, 'L' },
    { "page-server", required_argument, NULL, 'A' },
    { "status-fd", required_argument, NULL, 'F' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct sbx_checkpoint_opts o = { .struct_size = sizeof o };
  sbx_error_t err = { 0 };
  const char *id;
  int c;

  /* Single-dash long options too, as runc takes them: containerd's
     go-runc passes `-no-subreaper`. */
  optind = 0;
  while ((c = getopt_long_only (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'P':
        o.parent_path = optarg;
        break;
      case 'R':
        o.leave_running = true;
        break;
      case 'p':
        o.pre_dump = true;
        break;
      case 'A':
        o.page_server = optarg;
        break;
      case 'F':
        {
          char *end;
          long fd = strtol (optarg, &end, 10);
          /* runc's default, -1, means none */
          if (*optarg == '\0' || *end != '\0' || fd < -1 || fd > 1 << 20)
            return cli_usage (ctx, "checkpoint", "--status-fd: `%s` is not a file descriptor", optarg);
          /* Checked here, before sbx opens anything that could take the
             number of an fd the caller did not pass. */
          if (fd >= 0 && fcntl ((int) fd, F_GETFD) < 0)
            return cli_usage (ctx, "checkpoint", "--status-fd %ld: not an open file descriptor", fd);
          o.has_status_fd = fd >= 0;
          o.status_fd = (int) fd;
        }
        break;
      case 'h':
        help ();
        return 0;
      default:
        {
          int k = cli_criu_option (ctx, "checkpoint", c, optarg, &o.criu);
          if (k < 0)
            return 1;
          if (k == 0)
            return cli_usage (ctx, "checkpoint", "unknown option `%s`", argv[optind - 1]);
        }
      }
  id = cli_one_id (ctx, "checkpoint", argc, argv, optind);
  if (id == NULL)
    return 1;
  if (sbx_container_checkpoint (ctx, id, &o, &err) < 0)
    return cli_fail (ctx, &err);
  return 0;
}
