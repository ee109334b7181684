/* fuzz_state.c: the readers of the files sbx leaves in a state directory,
 * state.json (state_read) and owned.json (owned_read): whatever a crash, a
 * full disk or a hostile writer left there must come back as a state or
 * as an error, without a memory error or a leak. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "recover.h"
#include "state.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
state_dir (void)
{
  static int fd = -1;
  char tmpl[] = "/tmp/sbx-fuzz-state-XXXXXX";

  if (fd < 0)
    {
      if (mkdtemp (tmpl) == NULL)
        abort ();
      fd = open (tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        abort ();
    }
  return fd;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int dirfd = state_dir ();
  sbx_error_t err = { 0, NULL };
  struct container_state st;
  struct owned o;

  if (atomic_write_at (dirfd, STATE_FILE, data, size, 0600, NULL) < 0
      || atomic_write_at (dirfd, OWNED_FILE, data, size, 0600, NULL) < 0)
    abort ();
  if (state_read (dirfd, "c1", &st, &err) == 0)
    {
      char *json = state_to_json (&st, STATUS_STOPPED);
      if (st.pid <= 0)
        abort ();
      free (json);
      state_free (&st);
    }
  else if (err.msg == NULL)
    abort ();
  sbx_error_free (&err);
  if (owned_read (dirfd, &o, &err) == 0)
    owned_free (&o);
  else if (err.msg == NULL)
    abort ();
  sbx_error_free (&err);
  return 0;
}
