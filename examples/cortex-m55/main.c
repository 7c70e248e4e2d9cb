/* main.c: classifies the ten bundled digits and prints the results over
 * semihosting (UART-free). Exit status 0 when every digit is right. */
#include <stdint.h>
#include <string.h>

#include "digits.h"
#include "samples.h"
#include "tmc_board.h"

int main(void) {
  int correct = 0;
  tmc_board_printf("digits: arena %d bytes, weights %d bytes, %d MACs per image\n",
                   DIGITS_ARENA_SIZE, DIGITS_WEIGHTS_SIZE, DIGITS_MACS);
  for (int i = 0; i < DIGITS_NUM_SAMPLES; ++i) {
    float logits[10];
    const void *in[1] = {digits_samples[i]};
    void *out[1] = {logits};
    if (digits_invoke(in, out) != 0)
      return 2;
    int best = 0;
    for (int k = 1; k < 10; ++k)
      if (logits[k] > logits[best])
        best = k;
    uint32_t bits;
    memcpy(&bits, &logits[best], sizeof bits);
    tmc_board_printf("image %d: predicted %d (logit 0x%08x), label %d%s\n", i, best, bits,
                     digits_labels[i], best == digits_labels[i] ? "" : "  <-- wrong");
    correct += best == digits_labels[i];
  }
  tmc_board_printf("%d of %d correct\n", correct, DIGITS_NUM_SAMPLES);
  return correct == DIGITS_NUM_SAMPLES ? 0 : 1;
}
