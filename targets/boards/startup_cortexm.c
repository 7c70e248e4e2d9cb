/* startup_cortexm.c - vector table and reset handler for the Cortex-M QEMU
 * boards (mps2-an386, mps3-an547). A fault prints "@@fault" and exits with
 * status 3. */
#include <stdint.h>

#include "tmc_board.h"

extern uint32_t __stack_top[];
void tmc_board_start(void);

uintptr_t tmc_board_semihost(uintptr_t op, const void *arg) {
  register uintptr_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

__attribute__((naked, noreturn)) void Reset_Handler(void) {
  __asm__ volatile(
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
      /* CPACR.CP10/CP11 = full access: the FPU (and MVE on v8.1-M) on before
       * any compiled code can touch S/D/Q registers. */
      "movw r0, #0xED88\n"
      "movt r0, #0xE000\n"
      "ldr  r1, [r0]\n"
      "orr  r1, r1, #(0xF << 20)\n"
      "str  r1, [r0]\n"
      "dsb\n"
      "isb\n"
#endif
      "b    tmc_board_start\n");
}

__attribute__((used)) static void fault(uint32_t ipsr) {
  tmc_board_printf("@@fault exception %u cfsr=0x%08x\n", ipsr & 0x1ffu,
                   *(volatile uint32_t *)0xE000ED28u);
  tmc_board_exit(3);
}

__attribute__((naked)) void Default_Handler(void) {
  __asm__ volatile("mrs r0, ipsr\n"
                   "b   fault\n");
}

typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) const vector_t tmc_board_vectors[16 + 32] = {
    (vector_t)(uintptr_t)__stack_top, Reset_Handler,   Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler};
