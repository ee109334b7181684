/* test_systemd_bus.c: waiting for a systemd job ends at its deadline even
 * when other messages never stop coming (systemd sends every subscriber
 * every job's and unit's signals), and ends at once when the awaited
 * signal comes. The peer is a forked process on a socketpair speaking
 * D-Bus with sd-bus, with no broker. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "systemd-bus.h"
#include "unit.h"

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The peer: signals "Noise" as fast as it can write them, so the other
   side always has one waiting, for `seconds`; and "Done" after `done_ms`
   if that is not negative. */
static void
peer (int fd, int seconds, int done_ms)
{
  sd_bus *s = NULL;
  sd_id128_t id = SD_ID128_MAKE (5b, 0c, 3e, 61, 1d, 2f, 4a, 87, 9e, 10, 77, 3a, c2, 41, 58, 06);
  uint64_t start = now_usec ();

  if (sd_bus_new (&s) < 0 || sd_bus_set_fd (s, fd, fd) < 0 || sd_bus_set_server (s, 1, id) < 0
      || sd_bus_set_anonymous (s, 1) < 0 || sd_bus_start (s) < 0)
    _exit (1);
  while (now_usec () - start < (uint64_t) seconds * 1000000)
    {
      while (sd_bus_process (s, NULL) > 0)
        ;
      if (sd_bus_is_ready (s) > 0)
        {
          for (int i = 0; i < 64; i++)
            if (sd_bus_emit_signal (s, "/test", "test.Bus", "Noise", NULL) < 0)
              _exit (0); /* the other side has gone */
          if (done_ms >= 0 && now_usec () - start >= (uint64_t) done_ms * 1000)
            {
              sd_bus_emit_signal (s, "/test", "test.Bus", "Done", NULL);
              done_ms = -1;
            }
          if (sd_bus_flush (s) < 0)
            _exit (0);
        }
      else
        usleep (1000);
    }
  _exit (0);
}

static int
on_done (sd_bus_message *m, void *userdata, sd_bus_error *e)
{
  (void) m;
  (void) e;
  *(char **) userdata = "done";
  return 0;
}

/* A client on a socketpair with a peer(seconds, done_ms); *pid for the
   caller to reap. */
static sd_bus *
client (int seconds, int done_ms, pid_t *pid)
{
  sd_bus *c = NULL;
  int sv[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return NULL;
  *pid = fork ();
  if (*pid == 0)
    {
      close (sv[0]);
      peer (sv[1], seconds, done_ms);
    }
  close (sv[1]);
  if (*pid < 0 || sd_bus_new (&c) < 0 || sd_bus_set_fd (c, sv[0], sv[0]) < 0 || sd_bus_set_anonymous (c, 1) < 0
      || sd_bus_set_bus_client (c, 0) < 0 || sd_bus_start (c) < 0)
    return NULL;
  return c;
}

static void
reap (sd_bus *c, pid_t pid)
{
  sd_bus_flush_close_unref (c);
  if (pid <= 0) /* never kill (-1) */
    return;
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* A wait for "Done" against a peer(10 s, DONE_MS), up to TIMEOUT_US: its
   result, how long it took, and whether "Done" was seen. */
static int
wait_done (int done_ms, uint64_t timeout_us, uint64_t *took, bool *seen)
{
  pid_t pid = -1;
  sd_bus *c = client (10, done_ms, &pid);
  char *done = NULL;
  sd_bus_slot *slot = NULL;
  uint64_t start;
  int r = -EIO;

  if (c != NULL && sd_bus_match_signal (c, &slot, NULL, "/test", "test.Bus", "Done", on_done, &done) >= 0)
    {
      start = now_usec ();
      r = sdbus_process_until (c, &done, start + timeout_us);
      *took = now_usec () - start;
    }
  *seen = done != NULL;
  sd_bus_slot_unref (slot);
  reap (c, pid);
  return r;
}

UNIT_TEST (deadline_holds_under_a_steady_stream_of_other_signals)
{
  uint64_t took = 0;
  bool seen = true;

  CHECK_INTEQ (wait_done (-1, 300000, &took, &seen), -ETIMEDOUT);
  /* the peer talks for 10 s: a wait that only looks at the deadline when
     the line is quiet would be here 10 s */
  CHECK (took < 2000000);
  CHECK (took >= 300000);
  CHECK (!seen);
}

UNIT_TEST (ends_when_the_awaited_signal_comes)
{
  uint64_t took = 0;
  bool seen = false;

  CHECK_INTEQ (wait_done (100, 5000000, &took, &seen), 0);
  CHECK (seen);
  CHECK (took < 2000000);
}

UNIT_TEST (a_peer_that_hangs_up_is_an_error_not_a_wait)
{
  pid_t pid = -1;
  sd_bus *c = client (0, -1, &pid);
  char *done = NULL;
  uint64_t start;
  int r;

  REQUIRE (c != NULL);
  start = now_usec ();
  r = sdbus_process_until (c, &done, start + 5000000);
  CHECK (r < 0 && r != -ETIMEDOUT);
  CHECK (now_usec () - start < 2000000);
  reap (c, pid);
}

int
main (void)
{
  return unit_main ();
}
