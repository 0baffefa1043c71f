package org.squeeze4j.engine;

import java.util.Arrays;

/**
 * What dense and convolution layers share: int8 weights (symmetric per output channel, zero point
 * 0), int32 biases, uint8 input/output zero points, and the fixed-point requantization of Jacob et
 * al. 2018, section 2.2-2.4. With weight zero point 0 their eq. 7 becomes, for output channel o,
 * <pre>
 *   acc_o  = sum_k q_w[o,k] q_in[k]  +  (bias_q[o] - Z_in sum_k q_w[o,k])          (eq. 7-8: the
 *            \___ Int8Kernel ____/      \___ offset[o], precomputed once ____/      Z_in term folded)
 *   q_out  = clamp(Z_out + RoundingDivideByPOT(SRDHM(acc_o, M0_o), n_o),  lo, hi)
 *   M_o    = s_in s_w[o] / s_out = M0_o 2^-31 2^-n_o                                 (eq. 5-6)
 *   bias_q = round(b / (s_in s_w[o]))  (int32, scale s_in s_w[o], zero point 0)
 * </pre>
 * with {@code lo = Z_out} for a fused ReLU (section 2.4: clamping at the code of real 0) and
 * {@code lo = 0} otherwise, and {@code hi} the largest code of the output grid: 255 for uint8
 * activations, {@code 2^b - 1} for a layer whose output activations were trained on a b-bit grid
 * (the codes stay uint8 in memory; the clamp reproduces the grid's upper clipping). Scales are
 * float32 values (held in doubles), as in TFLite, so the file stores them losslessly; the
 * multipliers are derived from them.
 */
public abstract sealed class WeightedLayer implements IntLayer permits IntDense, IntConv2d, IntDepthwiseConv2d {
    final int outChannels;
    final int depth;
    final byte[] weights;
    final int[] bias;
    final int[] offset;
    final int[] m0;
    final int[] shift;
    final double inScale;
    final int inZeroPoint;
    final double[] weightScales;
    final double outScale;
    final int outZeroPoint;
    final boolean relu;
    final int lo;
    final int hi;

    WeightedLayer(int outChannels, int depth, byte[] weights, int[] bias, double inScale, int inZeroPoint,
                  double[] weightScales, double outScale, int outZeroPoint, boolean relu, int hi) {
        if (outChannels <= 0 || depth <= 0 || depth > Int8Kernel.MAX_DEPTH) {
            throw new IllegalArgumentException("need outChannels > 0 and 0 < depth <= " + Int8Kernel.MAX_DEPTH
                    + ", got " + outChannels + " and " + depth);
        }
        if (weights.length != (long) outChannels * depth) {
            throw new IllegalArgumentException("expected " + outChannels + " x " + depth + " = " + (long) outChannels * depth
                    + " int8 weights, got " + weights.length);
        }
        if (bias.length != outChannels || weightScales.length != outChannels) {
            throw new IllegalArgumentException("need one bias and one weight scale per output channel (" + outChannels
                    + "), got " + bias.length + " biases and " + weightScales.length + " scales");
        }
        checkScale(inScale, "input scale");
        checkScale(outScale, "output scale");
        checkZeroPoint(inZeroPoint, "input");
        checkZeroPoint(outZeroPoint, "output");
        if (hi < outZeroPoint || hi > 255) {
            throw new IllegalArgumentException("output code maximum hi must be in [Z_out, 255] = [" + outZeroPoint
                    + ", 255] (the output grid 0..hi must hold the zero point; 255 for uint8, 2^b - 1 for b-bit activations), got "
                    + hi);
        }
        this.outChannels = outChannels;
        this.depth = depth;
        this.weights = weights.clone();
        this.bias = bias.clone();
        this.inScale = inScale;
        this.inZeroPoint = inZeroPoint;
        this.weightScales = weightScales.clone();
        this.outScale = outScale;
        this.outZeroPoint = outZeroPoint;
        this.relu = relu;
        this.lo = relu ? outZeroPoint : 0;
        this.hi = hi;
        this.offset = new int[outChannels];
        this.m0 = new int[outChannels];
        this.shift = new int[outChannels];
        for (int o = 0; o < outChannels; o++) {
            checkScale(weightScales[o], "weight scale of channel " + o);
            long sum = 0;
            for (int k = 0; k < depth; k++) {
                sum += weights[o * depth + k];
            }
            offset[o] = Math.toIntExact(bias[o] - inZeroPoint * sum);
            QuantizedMultiplier qm = QuantizedMultiplier.of(inScale * weightScales[o] / outScale);
            m0[o] = qm.m0();
            shift[o] = qm.shift();
        }
    }

    static void checkScale(double s, String what) {
        if (!(s > 0) || !Double.isFinite(s) || (double) (float) s != s) {
            throw new IllegalArgumentException(what + " must be a positive finite float32 value, got " + s
                    + "; round scales with (double) (float) s before building the layer");
        }
    }

    static void checkZeroPoint(int z, String what) {
        if (z < 0 || z > 255) {
            throw new IllegalArgumentException(what + " zero point must be a uint8 code in [0, 255], got " + z);
        }
    }

    /**
     * Requantizes one sample's (or position's) accumulators {@code acc[accOff + o]}, o &lt; outChannels,
     * into {@code out[outOff + o * outStep]}: {@code clamp(Z_out + multiply(acc + offset[o]), lo, hi)},
     * the requantization above. One tight loop per row, so the JIT keeps the per-layer constants in
     * registers; the clamp uses {@code Math.max/min} (conditional moves), not branches: after a ReLU
     * about half the values clamp, in no predictable order.
     */
    final void requantize(int[] acc, int accOff, byte[] out, int outOff, int outStep) {
        int z = outZeroPoint;
        int min = lo;
        int max = hi;
        for (int o = 0; o < outChannels; o++) {
            int v = z + FixedPoint.multiplyByMultiplierUnchecked(acc[accOff + o] + offset[o], m0[o], shift[o]);
            out[outOff + o * outStep] = (byte) Math.max(min, Math.min(max, v));
        }
    }

    /**
     * Requantizes output channel {@code o}'s accumulators {@code acc[accOff + p]}, p &lt; n, into
     * {@code out[outOff + p]}: the same arithmetic as {@link #requantize}, along one output plane.
     */
    final void requantizeChannel(int[] acc, int accOff, int o, byte[] out, int outOff, int n) {
        int z = outZeroPoint;
        int min = lo;
        int max = hi;
        int add = offset[o];
        int m = m0[o];
        int sh = shift[o];
        for (int p = 0; p < n; p++) {
            int v = z + FixedPoint.multiplyByMultiplierUnchecked(acc[accOff + p] + add, m, sh);
            out[outOff + p] = (byte) Math.max(min, Math.min(max, v));
        }
    }

    /** Number of output channels (neurons or filters). */
    public int outChannels() {
        return outChannels;
    }

    /** Weights per output channel ({@code nIn} or {@code inC kH kW}). */
    public int depth() {
        return depth;
    }

    /** A copy of the int8 weights, output-major {@code [outChannels][depth]}. */
    public byte[] weights() {
        return weights.clone();
    }

    /** A copy of the int32 biases (scale {@code s_in s_w[o]}). */
    public int[] bias() {
        return bias.clone();
    }

    /** A copy of the precomputed {@code bias_q[o] - Z_in sum_k q_w[o,k]}. */
    public int[] offset() {
        return offset.clone();
    }

    /** The fixed-point multiplier of channel {@code o}. */
    public QuantizedMultiplier multiplier(int o) {
        return new QuantizedMultiplier(m0[o], shift[o]);
    }

    public double inScale() {
        return inScale;
    }

    public int inZeroPoint() {
        return inZeroPoint;
    }

    /** A copy of the per-channel weight scales. */
    public double[] weightScales() {
        return weightScales.clone();
    }

    public double outScale() {
        return outScale;
    }

    public int outZeroPoint() {
        return outZeroPoint;
    }

    /** True when a ReLU is fused (clamp at {@code Z_out}). */
    public boolean relu() {
        return relu;
    }

    /** The smallest output code: {@code Z_out} with a fused ReLU, else 0. */
    public int lo() {
        return lo;
    }

    /** The largest output code (255 for uint8 activations, {@code 2^b - 1} for b-bit ones). */
    public int hi() {
        return hi;
    }

    /** The activation part of {@link #describe()}: " relu" if fused, " hi N" if the clamp is below 255. */
    final String clampDescription() {
        return (relu ? " relu" : "") + (hi != 255 ? " hi " + hi : "");
    }

    /** Same parameters (weights, biases, scales, zero points, activation, output clamp). */
    boolean sameParameters(WeightedLayer o) {
        return outChannels == o.outChannels && depth == o.depth && Arrays.equals(weights, o.weights)
                && Arrays.equals(bias, o.bias) && inScale == o.inScale && inZeroPoint == o.inZeroPoint
                && Arrays.equals(weightScales, o.weightScales) && outScale == o.outScale
                && outZeroPoint == o.outZeroPoint && relu == o.relu && hi == o.hi;
    }
}
