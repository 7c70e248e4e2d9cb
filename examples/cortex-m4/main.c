/* main.c: classifies the ten bundled digits with two models linked into one
 * firmware and prints the results over semihosting. Exit status 0 when
 * every digit is classified correctly and both models agree bit for bit. */
#include <stdint.h>
#include <string.h>

#include "digits.h"
#include "digits_ext.h"
#include "samples.h"
#include "tmc_board.h"

static uint8_t ext_arena[DIGITS_EXT_ARENA_SIZE] __attribute__((aligned(DIGITS_EXT_ARENA_ALIGN)));

static int argmax(const float *v, int n) {
  int best = 0;
  for (int k = 1; k < n; ++k)
    if (v[k] > v[best])
      best = k;
  return best;
}

int main(void) {
  int correct = 0, agree = 0;
  digits_ext_set_arena(ext_arena);
  tmc_board_printf("digits: arena %d + %d bytes, weights %d bytes each, %d MACs per image\n",
                   DIGITS_ARENA_SIZE, DIGITS_EXT_ARENA_SIZE, DIGITS_WEIGHTS_SIZE, DIGITS_MACS);
  for (int i = 0; i < DIGITS_NUM_SAMPLES; ++i) {
    float logits[10], logits_ext[10];
    const void *in[1] = {digits_samples[i]};
    void *out[1] = {logits};
    void *out_ext[1] = {logits_ext};
    if (digits_invoke(in, out) != 0 || digits_ext_invoke(in, out_ext) != 0)
      return 2;
    int best = argmax(logits, 10);
    uint32_t bits;
    memcpy(&bits, &logits[best], sizeof bits);
    tmc_board_printf("image %d: predicted %d (logit 0x%08x), label %d%s\n", i, best, bits,
                     digits_labels[i], best == digits_labels[i] ? "" : "  <-- wrong");
    correct += best == digits_labels[i];
    agree += memcmp(logits, logits_ext, sizeof logits) == 0;
  }
  tmc_board_printf("%d of %d correct; the second model agrees bit for bit on %d\n", correct,
                   DIGITS_NUM_SAMPLES, agree);
  return correct == DIGITS_NUM_SAMPLES && agree == DIGITS_NUM_SAMPLES ? 0 : 1;
}
