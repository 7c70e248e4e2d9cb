/* startup_riscv.S - RV32 machine-mode entry for qemu-system-riscv32 -M virt
 * -bios none: gp, sp, the trap vector, and the semihosting trap. Any trap
 * prints "@@fault" and exits with status 3. */
    .option arch, +zicsr    /* csr instructions; the rv32imac multilib has no zicsr in -march */

    .section .text.init.enter, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la   gp, __global_pointer$
    .option pop
    la   sp, __stack_top
    la   t0, trap_entry
    csrw mtvec, t0
    j    tmc_board_start

/* uintptr_t tmc_board_semihost(uintptr_t op, const void *arg): the RISC-V
 * semihosting sequence is exactly these three uncompressed instructions. */
    .section .text.tmc_board_semihost, "ax", @progbits
    .globl tmc_board_semihost
    .balign 16
tmc_board_semihost:
    .option push
    .option norvc
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    .option pop
    ret

    .section .text.trap_entry, "ax", @progbits
    .balign 4
trap_entry:
    la   sp, __stack_top
    csrr a0, mcause
    csrr a1, mepc
    j    tmc_board_trap

    .section .rodata.trap_text, "a", @progbits
trap_text:
    .asciz "@@fault mcause=0x%x mepc=0x%x\n"

    .section .text.tmc_board_trap, "ax", @progbits
tmc_board_trap:
    mv   a2, a1
    mv   a1, a0
    la   a0, trap_text
    call tmc_board_printf
    li   a0, 3
    call tmc_board_exit
