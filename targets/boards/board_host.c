/* board_host.c - the tmc_board API on the host, so a firmware example also
 * builds and runs natively (stdio, exit status from main). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tmc_board.h"

void tmc_board_puts(const char *s) { fputs(s, stdout); }

void tmc_board_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

void tmc_board_exit(int status) {
  fflush(stdout);
  exit(status);
}

uint32_t tmc_board_stack_used(void) { return 0; }
