/* insncount.c - counts guest instructions exactly under qemu-system-* (TCG
 * plugin API v1). Every translated instruction gets an inline "count += 1";
 * the instructions at the addresses begin= and end= (Thumb bit ignored) open
 * and close a region, reported as
 *   @icount region <n> <instructions from begin up to, not including, end>
 *   @icount total <instructions>        (at exit)
 * through the QEMU log: run with -d plugin -D FILE. Uniprocessor boards only.
 * Build: cc -shared -fPIC -O2 -o insncount.so insncount.c */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t count, start;
static uint64_t begin_addr = UINT64_MAX, end_addr = UINT64_MAX;
static unsigned regions;
static int open_region;

static void on_begin(unsigned int vcpu, void *ud) {
  (void)vcpu;
  (void)ud;
  open_region = 1;
  start = count;
}

static void on_end(unsigned int vcpu, void *ud) {
  char buf[80];
  (void)vcpu;
  (void)ud;
  if (!open_region)
    return;
  open_region = 0;
  snprintf(buf, sizeof buf, "@icount region %u %" PRIu64 "\n", ++regions, count - start);
  qemu_plugin_outs(buf);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t n = qemu_plugin_tb_n_insns(tb);
  (void)id;
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t va = qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1;
    /* The add comes before the callbacks at both ends, so it cancels out. */
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &count, 1);
    if (va == begin_addr)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (va == end_addr)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
  }
}

static void on_exit_cb(qemu_plugin_id_t id, void *ud) {
  char buf[64];
  (void)id;
  (void)ud;
  snprintf(buf, sizeof buf, "@icount total %" PRIu64 "\n", count);
  qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "begin=", 6))
      begin_addr = strtoull(argv[i] + 6, NULL, 0) & ~(uint64_t)1;
    else if (!strncmp(argv[i], "end=", 4))
      end_addr = strtoull(argv[i] + 4, NULL, 0) & ~(uint64_t)1;
    else {
      fprintf(stderr, "insncount: unknown argument '%s'\n", argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}
