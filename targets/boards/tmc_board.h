/* tmc_board.h - the little a firmware example needs from a QEMU board:
 * console output over semihosting, exit with a status QEMU returns, and the
 * stack high-water mark (the stack is painted at reset).
 * Board support for the QEMU machines (the targets with a "board" entry);
 * not part of the generated code. C and C++. */
#ifndef TMC_BOARD_H
#define TMC_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the console (semihosting SYS_WRITE0). */
void tmc_board_puts(const char *s);
/* printf subset: %d %u %x %s %c %%, the 0 flag and a width; 32-bit ints. */
void tmc_board_printf(const char *fmt, ...);
/* Reports the stack peak ("@@stack N"), then ends the program: QEMU exits
 * with `status` (semihosting SYS_EXIT_EXTENDED). */
void tmc_board_exit(int status) __attribute__((noreturn));
/* Bytes of the main stack used so far (painted at reset). */
uint32_t tmc_board_stack_used(void);

#ifdef __cplusplus
}
#endif

#endif
