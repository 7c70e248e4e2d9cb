//===- tmc_recurrent.h - recurrent layers: LSTM, GRU, RNN -------------------===//
//
// One kernel call computes one direction of a layer (a bidirectional layer is
// two calls, the second with `direction` 1 and `reverse` 1), so each call's
// activations are plain fields of its parameter struct.
//
// - Gates are computed per step and per batch row: every gate row is a dot
//   product of a contiguous row of W (or R) with the input (or hidden) vector.
// - The hidden (and cell) state of every batch row lives in scratch memory, so
//   any output may be absent.
// - Which optional tensors are present is told by has_* fields, not by null
//   tests of the pointers: the fields are compile-time constants in generated
//   code (and GCC 12 warns about paths it invents where an arena pointer,
//   tested against null, is null).
// - sequence_lens: a batch row of length L runs steps 0..L-1 (reverse: L-1..0);
//   Y is zero at its steps L..seq_length-1, and Y_h / Y_c hold the state after
//   its last step (zero when L is 0, as ONNX Runtime gives).
// - clip bounds every gate's pre-activation to [-clip, clip] (the cell state
//   fed to h is not clipped, as in ONNX Runtime); HUGE_VALF is no clip.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_RECURRENT_H
#define TMC_RECURRENT_H

#include "tmc_base.h"

namespace tmc {

/// The activation functions the recurrent ops accept, with the meaning of
/// alpha and beta.
enum RnnActivation {
  kRnnRelu = 0,
  kRnnTanh = 1,
  kRnnSigmoid = 2,
  kRnnAffine = 3,          ///< alpha * x + beta
  kRnnLeakyRelu = 4,       ///< x >= 0 ? x : alpha * x
  kRnnThresholdedRelu = 5, ///< x >= alpha ? x : 0
  kRnnScaledTanh = 6,      ///< alpha * tanh(beta * x)
  kRnnHardSigmoid = 7,     ///< min(max(alpha * x + beta, 0), 1)
  kRnnElu = 8,             ///< x >= 0 ? x : alpha * (e^x - 1)
  kRnnSoftsign = 9,        ///< x / (1 + |x|)
  kRnnSoftplus = 10,       ///< log(1 + e^x)
};

#define TMC_RECURRENT_PARAMS(F, A)                                                             \
  F(int32_t, seq_length)                                                                       \
  F(int32_t, batch)                                                                            \
  F(int32_t, input_size)                                                                       \
  F(int32_t, hidden_size)                                                                      \
  F(int32_t, num_directions)                                                                   \
  F(int32_t, direction)                                                                        \
  F(int32_t, reverse)                                                                          \
  F(int32_t, layout)                                                                           \
  F(float, clip)                                                                               \
  F(int32_t, input_forget)                                                                     \
  F(int32_t, linear_before_reset)                                                              \
  F(int32_t, has_bias)                                                                         \
  F(int32_t, has_sequence_lens)                                                                \
  F(int32_t, has_initial_h)                                                                    \
  F(int32_t, has_initial_c)                                                                    \
  F(int32_t, has_peepholes)                                                                    \
  F(int32_t, has_y)                                                                            \
  F(int32_t, has_y_h)                                                                          \
  F(int32_t, has_y_c)                                                                          \
  F(int32_t, act_f)                                                                            \
  F(float, alpha_f)                                                                            \
  F(float, beta_f)                                                                             \
  F(int32_t, act_g)                                                                            \
  F(float, alpha_g)                                                                            \
  F(float, beta_g)                                                                             \
  F(int32_t, act_h)                                                                            \
  F(float, alpha_h)                                                                            \
  F(float, beta_h)
TMC_DEFINE_PARAMS(RecurrentParams, TMC_RECURRENT_PARAMS)

/// v[i] = act(v[i]) for i < n; the switch is outside the loops.
template <typename T>
static inline void rnn_activate(T *v, int32_t n, int32_t act, float alpha, float beta) {
  const T a = T(alpha), b = T(beta);
  int32_t i;
  switch (act) {
  case kRnnRelu:
    for (i = 0; i < n; ++i)
      v[i] = v[i] < T(0) ? T(0) : v[i];
    break;
  case kRnnTanh:
    for (i = 0; i < n; ++i)
      v[i] = m_tanh(v[i]);
    break;
  case kRnnSigmoid:
    for (i = 0; i < n; ++i)
      v[i] = sigmoid(v[i]);
    break;
  case kRnnAffine:
    for (i = 0; i < n; ++i)
      v[i] = a * v[i] + b;
    break;
  case kRnnLeakyRelu:
    for (i = 0; i < n; ++i)
      v[i] = v[i] < T(0) ? a * v[i] : v[i];
    break;
  case kRnnThresholdedRelu:
    for (i = 0; i < n; ++i)
      v[i] = v[i] < a ? T(0) : v[i];
    break;
  case kRnnScaledTanh:
    for (i = 0; i < n; ++i)
      v[i] = a * m_tanh(b * v[i]);
    break;
  case kRnnHardSigmoid:
    for (i = 0; i < n; ++i)
      v[i] = t_min(t_max(a * v[i] + b, T(0)), T(1));
    break;
  case kRnnElu:
    for (i = 0; i < n; ++i)
      v[i] = v[i] < T(0) ? a * (m_exp(v[i]) - T(1)) : v[i];
    break;
  case kRnnSoftsign:
    for (i = 0; i < n; ++i)
      v[i] = v[i] / (T(1) + m_fabs(v[i]));
    break;
  case kRnnSoftplus:
    // log(1 + e^x) without overflow for large x.
    for (i = 0; i < n; ++i)
      v[i] = v[i] > T(0) ? v[i] + m_log1p(m_exp(-v[i])) : m_log1p(m_exp(v[i]));
    break;
  default:
    break;
  }
}

/// Bounds v[i] to [-clip, clip]; nothing to do for HUGE_VALF.
template <typename T> static inline void rnn_clip(T *v, int32_t n, float clip) {
  if (!(clip < HUGE_VALF))
    return;
  const T c = T(clip);
  for (int32_t i = 0; i < n; ++i)
    v[i] = v[i] > c ? c : (v[i] < -c ? -c : v[i]);
}

/// acc[g] += m[g, :] . v for g < rows; m is row-major [rows, k].
template <typename T>
static inline void rnn_matvec_acc(T *acc, const T *m, const T *v, int32_t rows, int32_t k) {
  for (int32_t g = 0; g < rows; ++g) {
    const T *row = m + g * k;
    T s = T(0);
    for (int32_t j = 0; j < k; ++j)
      s += row[j] * v[j];
    acc[g] += s;
  }
}

/// Gate pre-activations: acc[g] = (wb[g] + rb[g]) + w[g, :] . x + r[g, :] . h
/// for g < rows (no bias term without has_bias); w is [rows, nx], r [rows, nh].
template <typename T>
static inline void rnn_gates(T *acc, int32_t rows, const T *w, const T *x, int32_t nx,
                             const T *r, const T *h, int32_t nh, int32_t has_bias, const T *wb,
                             const T *rb) {
  for (int32_t g = 0; g < rows; ++g) {
    const T *wg = w + g * nx, *rg = r + g * nh;
    T sx = T(0), sh = T(0);
    for (int32_t j = 0; j < nx; ++j)
      sx += wg[j] * x[j];
    for (int32_t j = 0; j < nh; ++j)
      sh += rg[j] * h[j];
    const T bias = has_bias ? T(wb[g] + rb[g]) : T(0);
    acc[g] = bias + sx + sh;
  }
}

/// The length of batch row b, clamped to [0, seq_length].
static inline int32_t rnn_length(const RecurrentParams *p, const int32_t *seq_lens, int32_t b) {
  if (!p->has_sequence_lens)
    return p->seq_length;
  const int32_t len = seq_lens[b];
  return len < 0 ? 0 : (len > p->seq_length ? p->seq_length : len);
}

/// Element offsets of X[t, b, :], Y[t, direction, b, :] and of this
/// direction's row b of initial_h / Y_h (layout 0), or their batch-major
/// counterparts (layout 1).
static inline int32_t rnn_x_offset(const RecurrentParams *p, int32_t t, int32_t b) {
  return (p->layout ? b * p->seq_length + t : t * p->batch + b) * p->input_size;
}
static inline int32_t rnn_y_offset(const RecurrentParams *p, int32_t t, int32_t b) {
  return (p->layout ? (b * p->seq_length + t) * p->num_directions + p->direction
                    : (t * p->num_directions + p->direction) * p->batch + b) *
         p->hidden_size;
}
static inline int32_t rnn_state_offset(const RecurrentParams *p, int32_t b) {
  return (p->layout ? b * p->num_directions + p->direction : p->direction * p->batch + b) *
         p->hidden_size;
}

/// state[b, :] = init's row for b (zero without init).
template <typename T>
static inline void rnn_load_state(const RecurrentParams *p, int32_t has_init, const T *init,
                                  T *state) {
  const int32_t H = p->hidden_size;
  for (int32_t b = 0; b < p->batch; ++b) {
    if (has_init)
      memcpy(state + b * H, init + rnn_state_offset(p, b), sizeof(T) * (size_t)H);
    else
      memset(state + b * H, 0, sizeof(T) * (size_t)H);
  }
}

/// out's row for b = state[b, :] after the last step (zero for length 0).
template <typename T>
static inline void rnn_store_state(const RecurrentParams *p, const int32_t *seq_lens,
                                   const T *state, int32_t has_out, T *out) {
  if (!has_out)
    return;
  const int32_t H = p->hidden_size;
  for (int32_t b = 0; b < p->batch; ++b) {
    T *o = out + rnn_state_offset(p, b);
    if (rnn_length(p, seq_lens, b) == 0)
      memset(o, 0, sizeof(T) * (size_t)H);
    else
      memcpy(o, state + b * H, sizeof(T) * (size_t)H);
  }
}

/// Step s of batch row b: the time index it reads and writes, or -1 past the
/// row's length (Y is then zeroed at time s).
static inline int32_t rnn_time(const RecurrentParams *p, int32_t s, int32_t len) {
  if (s >= len)
    return -1;
  return p->reverse ? len - 1 - s : s;
}

/// LSTM, one direction. Gates in the ONNX order i, o, f, c:
///   i = f(Wi x + Ri h + Pi . C + b),  f = f(Wf x + Rf h + Pf . C + b)
///   (f = 1 - i with input_forget),    c = g(Wc x + Rc h + b)
///   C = f . C + i . c,  o = f(Wo x + Ro h + Po . C + b),  h = o . h(C)
/// Scratch: (2 * batch + 4) * hidden_size elements.
template <typename T>
static inline void lstm(const RecurrentParams *p, const T *x, const T *w, const T *r,
                        const T *bias, const int32_t *seq_lens, const T *h0, const T *c0,
                        const T *peep, T *y, T *y_h, T *y_c, T *scratch) {
  const int32_t H = p->hidden_size, I = p->input_size, B = p->batch, d = p->direction;
  const int32_t G = 4 * H;
  const T *wd = w + d * G * I, *rd = r + d * G * H;
  const T *wb = p->has_bias ? bias + d * 2 * G : nullptr, *rb = p->has_bias ? wb + G : nullptr;
  const T *pi = p->has_peepholes ? peep + d * 3 * H : peep;
  const T *po = p->has_peepholes ? pi + H : peep, *pf = p->has_peepholes ? pi + 2 * H : peep;
  T *h = scratch, *c = scratch + B * H, *gates = scratch + 2 * B * H;
  T *gi = gates, *go = gates + H, *gf = gates + 2 * H, *gc = gates + 3 * H;
  rnn_load_state(p, p->has_initial_h, h0, h);
  rnn_load_state(p, p->has_initial_c, c0, c);
  for (int32_t s = 0; s < p->seq_length; ++s) {
    for (int32_t b = 0; b < B; ++b) {
      const int32_t t = rnn_time(p, s, rnn_length(p, seq_lens, b));
      if (t < 0) {
        if (p->has_y)
          memset(y + rnn_y_offset(p, s, b), 0, sizeof(T) * (size_t)H);
        continue;
      }
      T *hb = h + b * H, *cb = c + b * H;
      rnn_gates(gates, G, wd, x + rnn_x_offset(p, t, b), I, rd, hb, H, p->has_bias, wb, rb);
      int32_t j;
      if (p->has_peepholes)
        for (j = 0; j < H; ++j) {
          gi[j] += pi[j] * cb[j];
          gf[j] += pf[j] * cb[j];
        }
      rnn_clip(gi, H, p->clip);
      rnn_activate(gi, H, p->act_f, p->alpha_f, p->beta_f);
      if (p->input_forget) {
        for (j = 0; j < H; ++j)
          gf[j] = T(1) - gi[j];
      } else {
        rnn_clip(gf, H, p->clip);
        rnn_activate(gf, H, p->act_f, p->alpha_f, p->beta_f);
      }
      rnn_clip(gc, H, p->clip);
      rnn_activate(gc, H, p->act_g, p->alpha_g, p->beta_g);
      for (j = 0; j < H; ++j)
        cb[j] = gf[j] * cb[j] + gi[j] * gc[j];
      if (p->has_peepholes)
        for (j = 0; j < H; ++j)
          go[j] += po[j] * cb[j];
      rnn_clip(go, H, p->clip);
      rnn_activate(go, H, p->act_f, p->alpha_f, p->beta_f);
      memcpy(gc, cb, sizeof(T) * (size_t)H);
      rnn_activate(gc, H, p->act_h, p->alpha_h, p->beta_h);
      for (j = 0; j < H; ++j)
        hb[j] = go[j] * gc[j];
      if (p->has_y)
        memcpy(y + rnn_y_offset(p, t, b), hb, sizeof(T) * (size_t)H);
    }
  }
  rnn_store_state(p, seq_lens, h, p->has_y_h, y_h);
  rnn_store_state(p, seq_lens, c, p->has_y_c, y_c);
}

/// GRU, one direction. Gates in the ONNX order z, r, h:
///   z = f(Wz x + Rz h + b),  r = f(Wr x + Rr h + b)
///   n = g(Wh x + Wbh + Rh (r . h) + Rbh)          (linear_before_reset 0)
///   n = g(Wh x + Wbh + r . (Rh h + Rbh))          (linear_before_reset 1)
///   h = (1 - z) . n + z . h
/// Scratch: (batch + 4) * hidden_size elements.
template <typename T>
static inline void gru(const RecurrentParams *p, const T *x, const T *w, const T *r,
                       const T *bias, const int32_t *seq_lens, const T *h0, T *y, T *y_h,
                       T *scratch) {
  const int32_t H = p->hidden_size, I = p->input_size, B = p->batch, d = p->direction;
  const int32_t G = 3 * H;
  const T *wd = w + d * G * I, *rd = r + d * G * H;
  const T *wb = p->has_bias ? bias + d * 2 * G : nullptr, *rb = p->has_bias ? wb + G : nullptr;
  T *h = scratch, *gates = scratch + B * H, *tmp = gates + G;
  T *gz = gates, *gr = gates + H, *gh = gates + 2 * H;
  rnn_load_state(p, p->has_initial_h, h0, h);
  for (int32_t s = 0; s < p->seq_length; ++s) {
    for (int32_t b = 0; b < B; ++b) {
      const int32_t t = rnn_time(p, s, rnn_length(p, seq_lens, b));
      if (t < 0) {
        if (p->has_y)
          memset(y + rnn_y_offset(p, s, b), 0, sizeof(T) * (size_t)H);
        continue;
      }
      T *hb = h + b * H;
      const T *xt = x + rnn_x_offset(p, t, b);
      int32_t j;
      // z and r: input and recurrent terms with both biases.
      rnn_gates(gates, 2 * H, wd, xt, I, rd, hb, H, p->has_bias, wb, rb);
      // n: the input term with Wbh now, the recurrent term below.
      for (j = 0; j < H; ++j)
        gh[j] = p->has_bias ? wb[2 * H + j] : T(0);
      rnn_matvec_acc(gh, wd + 2 * H * I, xt, H, I);
      rnn_clip(gz, 2 * H, p->clip);
      rnn_activate(gz, 2 * H, p->act_f, p->alpha_f, p->beta_f);
      if (p->linear_before_reset) {
        for (j = 0; j < H; ++j)
          tmp[j] = p->has_bias ? rb[2 * H + j] : T(0);
        rnn_matvec_acc(tmp, rd + 2 * H * H, hb, H, H);
        for (j = 0; j < H; ++j)
          gh[j] += gr[j] * tmp[j];
      } else {
        for (j = 0; j < H; ++j) {
          tmp[j] = gr[j] * hb[j];
          if (p->has_bias)
            gh[j] += rb[2 * H + j];
        }
        rnn_matvec_acc(gh, rd + 2 * H * H, tmp, H, H);
      }
      rnn_clip(gh, H, p->clip);
      rnn_activate(gh, H, p->act_g, p->alpha_g, p->beta_g);
      for (j = 0; j < H; ++j)
        hb[j] = (T(1) - gz[j]) * gh[j] + gz[j] * hb[j];
      if (p->has_y)
        memcpy(y + rnn_y_offset(p, t, b), hb, sizeof(T) * (size_t)H);
    }
  }
  rnn_store_state(p, seq_lens, h, p->has_y_h, y_h);
}

/// Simple RNN, one direction: h = f(Wi x + Ri h + Wbi + Rbi).
/// Scratch: (batch + 1) * hidden_size elements.
template <typename T>
static inline void rnn(const RecurrentParams *p, const T *x, const T *w, const T *r,
                       const T *bias, const int32_t *seq_lens, const T *h0, T *y, T *y_h,
                       T *scratch) {
  const int32_t H = p->hidden_size, I = p->input_size, B = p->batch, d = p->direction;
  const T *wd = w + d * H * I, *rd = r + d * H * H;
  const T *wb = p->has_bias ? bias + d * 2 * H : nullptr, *rb = p->has_bias ? wb + H : nullptr;
  T *h = scratch, *gates = scratch + B * H;
  rnn_load_state(p, p->has_initial_h, h0, h);
  for (int32_t s = 0; s < p->seq_length; ++s) {
    for (int32_t b = 0; b < B; ++b) {
      const int32_t t = rnn_time(p, s, rnn_length(p, seq_lens, b));
      if (t < 0) {
        if (p->has_y)
          memset(y + rnn_y_offset(p, s, b), 0, sizeof(T) * (size_t)H);
        continue;
      }
      T *hb = h + b * H;
      rnn_gates(gates, H, wd, x + rnn_x_offset(p, t, b), I, rd, hb, H, p->has_bias, wb, rb);
      rnn_clip(gates, H, p->clip);
      rnn_activate(gates, H, p->act_f, p->alpha_f, p->beta_f);
      memcpy(hb, gates, sizeof(T) * (size_t)H);
      if (p->has_y)
        memcpy(y + rnn_y_offset(p, t, b), hb, sizeof(T) * (size_t)H);
    }
  }
  rnn_store_state(p, seq_lens, h, p->has_y_h, y_h);
}

} // namespace tmc

#endif
