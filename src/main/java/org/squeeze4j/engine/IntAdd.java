package org.squeeze4j.engine;

/**
 * The join of a residual connection in integers: two uint8 tensors on their own grids
 * {@code (s_a, Z_a)} and {@code (s_b, Z_b)} summed onto a third {@code (s_out, Z_out)}, optionally
 * with the ReLU after the add fused as a clamp. TFLite's {@code ADD} kernel (Jacob et al. 2018,
 * appendix; {@code tensorflow/lite/kernels/internal/reference/add.h}): both inputs are brought to
 * a common scale {@code 2 max(s_a, s_b) / 2^20} with multipliers below one, summed exactly in
 * int32, and the sum requantized once:
 * <pre>
 *   a'    = MBQM((q_a - Z_a) 2^20, M_a),   M_a   = s_a / (2 max(s_a, s_b))        (<= 1/2)
 *   b'    = MBQM((q_b - Z_b) 2^20, M_b),   M_b   = s_b / (2 max(s_a, s_b))
 *   q_out = clamp(Z_out + MBQM(a' + b', M_out), lo, hi),   M_out = 2 max(s_a, s_b) / (2^20 s_out)
 * </pre>
 * with MBQM gemmlowp's {@link FixedPoint#multiplyByQuantizedMultiplier}, {@code lo = Z_out} for a
 * fused ReLU (else 0) and {@code hi = 255}. The 20-bit left shift keeps 20 fractional bits through
 * the two input multipliers ({@code |q - Z| 2^20 < 2^28}, so nothing overflows).
 *
 * <p>Both inputs are uint8, so the output is a function of the pair {@code (q_a, q_b)} alone: its
 * 65,536 values are computed once with the formula above and looked up per element, the same
 * codes for a third of a nanosecond instead of three fixed-point multiplications.
 */
public final class IntAdd implements IntLayer {
    /** Fractional bits kept while the two inputs are brought to a common scale (TFLite's {@code left_shift}). */
    public static final int LEFT_SHIFT = 20;

    final int length;
    final double scaleA;
    final int zeroA;
    final double scaleB;
    final int zeroB;
    final double outScale;
    final int outZeroPoint;
    final boolean relu;
    final int lo;
    final QuantizedMultiplier multiplierA;
    final QuantizedMultiplier multiplierB;
    final QuantizedMultiplier multiplierOut;
    /** {@code table[q_a 256 + q_b]}: the output code of every input pair. */
    private final byte[] table = new byte[256 * 256];

    /**
     * @param length codes per sample of each input and of the output
     * @param relu whether the ReLU after the add is fused (clamp at {@code Z_out})
     */
    public IntAdd(int length, double scaleA, int zeroA, double scaleB, int zeroB, double outScale, int outZeroPoint, boolean relu) {
        if (length <= 0) {
            throw new IllegalArgumentException("an add needs a positive length, got " + length);
        }
        WeightedLayer.checkScale(scaleA, "first input scale");
        WeightedLayer.checkScale(scaleB, "second input scale");
        WeightedLayer.checkScale(outScale, "output scale");
        WeightedLayer.checkZeroPoint(zeroA, "first input");
        WeightedLayer.checkZeroPoint(zeroB, "second input");
        WeightedLayer.checkZeroPoint(outZeroPoint, "output");
        this.length = length;
        this.scaleA = scaleA;
        this.zeroA = zeroA;
        this.scaleB = scaleB;
        this.zeroB = zeroB;
        this.outScale = outScale;
        this.outZeroPoint = outZeroPoint;
        this.relu = relu;
        this.lo = relu ? outZeroPoint : 0;
        double twiceMax = 2 * Math.max(scaleA, scaleB);
        this.multiplierA = QuantizedMultiplier.of(scaleA / twiceMax);
        this.multiplierB = QuantizedMultiplier.of(scaleB / twiceMax);
        this.multiplierOut = QuantizedMultiplier.of(twiceMax / ((1 << LEFT_SHIFT) * outScale));
        for (int qa = 0; qa < 256; qa++) {
            for (int qb = 0; qb < 256; qb++) {
                table[qa << 8 | qb] = (byte) add(qa, qb);
            }
        }
    }

    /** The output code for input codes {@code qa, qb}: the formula of the class comment. */
    int add(int qa, int qb) {
        int x = FixedPoint.multiplyByMultiplierUnchecked((qa - zeroA) << LEFT_SHIFT, multiplierA.m0(), multiplierA.shift());
        int y = FixedPoint.multiplyByMultiplierUnchecked((qb - zeroB) << LEFT_SHIFT, multiplierB.m0(), multiplierB.shift());
        int v = outZeroPoint + FixedPoint.multiplyByMultiplierUnchecked(x + y, multiplierOut.m0(), multiplierOut.shift());
        return Math.max(lo, Math.min(255, v));
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public int inputLength() {
        return length;
    }

    @Override
    public int outputLength() {
        return length;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] a = inputs[0];
        byte[] b = inputs[1];
        byte[] t = table;
        int n = m * length;
        for (int i = 0; i < n; i++) {
            out[i] = t[(a[i] & 0xFF) << 8 | (b[i] & 0xFF)];
        }
    }

    @Override
    public int accumulatorLength() {
        return 0;
    }

    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public long macsPerSample() {
        return 0;
    }

    public double scaleA() {
        return scaleA;
    }

    public int zeroPointA() {
        return zeroA;
    }

    public double scaleB() {
        return scaleB;
    }

    public int zeroPointB() {
        return zeroB;
    }

    public double outScale() {
        return outScale;
    }

    public int outZeroPoint() {
        return outZeroPoint;
    }

    public boolean relu() {
        return relu;
    }

    /** The smallest output code: {@code Z_out} with a fused ReLU, else 0. */
    public int lo() {
        return lo;
    }

    /** The multipliers {@code M_a, M_b, M_out} of the class comment. */
    public QuantizedMultiplier multiplierA() {
        return multiplierA;
    }

    public QuantizedMultiplier multiplierB() {
        return multiplierB;
    }

    public QuantizedMultiplier multiplierOut() {
        return multiplierOut;
    }

    @Override
    public String describe() {
        return "add " + length + (relu ? " relu" : "");
    }

    boolean sameParameters(IntAdd o) {
        return length == o.length && scaleA == o.scaleA && zeroA == o.zeroA && scaleB == o.scaleB && zeroB == o.zeroB
                && outScale == o.outScale && outZeroPoint == o.outZeroPoint && relu == o.relu;
    }
}
