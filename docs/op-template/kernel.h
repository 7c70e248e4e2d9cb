// In runtime-min/tmc_<family>.h: C++11, header-only, no STL, exceptions,
// heap or I/O. Everything known at compile time is a parameter; the code
// generator prints the struct as a constant, so the C++ compiler specialises.

#define TMC_FOO_PARAMS(F, A)                                                                   \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, exclusive)
TMC_DEFINE_PARAMS(FooParams, TMC_FOO_PARAMS)

/// Running sums along the axis of an [outer, axis_size, inner] view;
/// exclusive sums leave out the element itself.
template <typename T> static inline void foo(const FooParams *p, const T *x, T *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      T acc = T(0);
      for (int32_t k = 0; k < A; ++k) {
        const T v = xs[k * I]; // read before the write: safe when y == x
        if (p->exclusive)
          ys[k * I] = acc;
        acc = T(acc + v);
        if (!p->exclusive)
          ys[k * I] = acc;
      }
    }
}
