/* board.c - architecture-neutral start-up and console for the QEMU boards:
 * .data copy, .bss zeroing, stack painting, constructors, main(), and
 * semihosting output and exit. The architecture's entry code (vector table
 * or _start) is in startup_cortexm.c / startup_riscv.S. */
#include <stdarg.h>
#include <stdint.h>

#include "tmc_board.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __extra_bss_start[], __extra_bss_end[];
extern uint32_t __stack_limit[], __stack_top[];
typedef void (*init_fn)(void);
extern init_fn __init_array_start[], __init_array_end[];

int main(void);
uintptr_t tmc_board_semihost(uintptr_t op, const void *arg);

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026u
#define STACK_PAINT 0xC0DEFACEu

static uintptr_t current_sp(void) {
  uintptr_t sp;
#if defined(__arm__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
  __asm__ volatile("mv %0, sp" : "=r"(sp));
#endif
  return sp;
}

/* Entered from the reset handler with a valid stack. Word loops only: no
 * library calls before .data and .bss exist. */
__attribute__((noreturn, used, optimize("no-tree-loop-distribute-patterns")))
void tmc_board_start(void) {
  uint32_t *p, *s;
  volatile uint32_t *v;
  init_fn *f;
  for (s = __data_load, p = __data_start; p < __data_end;)
    *p++ = *s++;
  for (p = __bss_start; p < __bss_end;)
    *p++ = 0;
  for (p = __extra_bss_start; p < __extra_bss_end;)
    *p++ = 0;
  for (v = __stack_limit; v < (uint32_t *)((current_sp() - 64u) & ~(uintptr_t)3u); ++v)
    *v = STACK_PAINT;
  for (f = __init_array_start; f < __init_array_end; ++f)
    (*f)();
  tmc_board_exit(main());
}

uint32_t tmc_board_stack_used(void) {
  const volatile uint32_t *p = __stack_limit;
  while (p < __stack_top && *p == STACK_PAINT)
    ++p;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

void tmc_board_puts(const char *s) { tmc_board_semihost(SYS_WRITE0, s); }

void tmc_board_exit(int status) {
  uintptr_t block[2];
  tmc_board_printf("@@stack %u\n", tmc_board_stack_used());
  block[0] = ADP_Stopped_ApplicationExit;
  block[1] = (uintptr_t)(uint32_t)status;
  for (;;)
    tmc_board_semihost(SYS_EXIT_EXTENDED, block);
}

/* Formats into a line buffer; flushed on '\n' and when full. */
static char line[128];
static unsigned used;

static void put(char c) {
  line[used++] = c;
  if (c == '\n' || used == sizeof line - 1) {
    line[used] = 0;
    tmc_board_puts(line);
    used = 0;
  }
}

void tmc_board_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; ++fmt) {
    char digits[12];
    int n = 0, width = 0, neg = 0;
    char pad = ' ';
    uint32_t u;
    if (*fmt != '%') {
      put(*fmt);
      continue;
    }
    ++fmt;
    if (*fmt == '0') {
      pad = '0';
      ++fmt;
    }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
    case 'd': {
      int32_t d = va_arg(ap, int32_t);
      neg = d < 0;
      u = neg ? 0u - (uint32_t)d : (uint32_t)d;
      do
        digits[n++] = (char)('0' + u % 10);
      while (u /= 10);
      break;
    }
    case 'u':
      u = va_arg(ap, uint32_t);
      do
        digits[n++] = (char)('0' + u % 10);
      while (u /= 10);
      break;
    case 'x':
      u = va_arg(ap, uint32_t);
      do
        digits[n++] = "0123456789abcdef"[u & 15];
      while (u >>= 4);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      while (*s)
        put(*s++);
      continue;
    }
    case 'c':
      put((char)va_arg(ap, int));
      continue;
    case '%':
      put('%');
      continue;
    default:
      va_end(ap);
      return;
    }
    if (neg && pad == '0')
      put('-');
    for (width -= n + neg; width > 0; --width)
      put(pad);
    if (neg && pad != '0')
      put('-');
    while (n)
      put(digits[--n]);
  }
  va_end(ap);
}
