/* demo.c: runs the generated digits model on a few 8x8 images from a file.
 * Plain C99: the generated header is callable from C. */
#include "digits.h"

#include <stdio.h>

int main(int argc, char **argv) {
  float image[64];
  float logits[10];
  int label, sample = 0, correct = 0;
  FILE *images, *labels;
  if (argc != 3) {
    fprintf(stderr, "usage: %s samples.bin labels.txt\n", argv[0]);
    return 2;
  }
  images = fopen(argv[1], "rb");
  labels = fopen(argv[2], "r");
  if (!images || !labels) {
    fprintf(stderr, "cannot open the sample files\n");
    return 1;
  }
  printf("model: arena %d bytes, weights %d bytes, %d MACs per image\n", DIGITS_ARENA_SIZE,
         DIGITS_WEIGHTS_SIZE, DIGITS_MACS);
  while (fread(image, sizeof(float), 64, images) == 64 && fscanf(labels, "%d", &label) == 1) {
    const void *inputs[1];
    void *outputs[1];
    int best = 0, k;
    inputs[0] = image;
    outputs[0] = logits;
    if (digits_invoke(inputs, outputs) != 0) {
      fprintf(stderr, "inference failed\n");
      return 1;
    }
    for (k = 1; k < 10; ++k)
      if (logits[k] > logits[best])
        best = k;
    printf("image %d: predicted %d, label %d%s\n", sample, best, label,
           best == label ? "" : "  <-- wrong");
    correct += best == label;
    ++sample;
  }
  printf("%d of %d correct\n", correct, sample);
  fclose(images);
  fclose(labels);
  return correct == sample ? 0 : 1;
}
