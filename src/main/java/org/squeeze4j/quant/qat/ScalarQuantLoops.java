package org.squeeze4j.quant.qat;

/**
 * {@link QuantLoops} in plain Java: the reference for {@link VectorQuantLoops}, and the path of a
 * JVM without the Vector API. Clipping uses comparisons, not {@code Math.max/min}: their NaN and
 * -0.0 rules made these loops 4x slower, and with integer bounds clip-then-round equals
 * round-then-clip.
 */
final class ScalarQuantLoops implements QuantLoops {
    static final ScalarQuantLoops INSTANCE = new ScalarQuantLoops();

    private ScalarQuantLoops() {
    }

    @Override
    public void minMax(float[] a, int n, double[] loHi) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = a[i];
            lo = v < lo ? v : lo;         // a NaN compares false: ignored
            hi = v > hi ? v : hi;
        }
        loHi[0] = lo;
        loHi[1] = hi;
    }

    @Override
    public void affine(float[] a, int n, double s, double z, int qmax) {
        affine(a, 0, n, s, z, qmax);
    }

    /** {@link #affine(float[], int, double, double, int)} over {@code [from, to)}. */
    void affine(float[] a, int from, int to, double s, double z, int qmax) {
        for (int i = from; i < to; i++) {
            double c = a[i] / s + z;
            c = c <= 0 ? 0 : c > qmax ? qmax : c;
            a[i] = (float) ((Math.rint(c) - z) * s);
        }
    }

    @Override
    public void maxAbs(float[] a, int channels, int len, float[] out) {
        for (int c = 0; c < channels; c++) {
            out[c] = maxAbs(a, c * len, (c + 1) * len);
        }
    }

    /** {@code max |a[i]|} over {@code [from, to)}, NaN ignored, 0 when empty. */
    float maxAbs(float[] a, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) {
            float v = Math.abs(a[i]);
            m = v > m ? v : m;
        }
        return m;
    }

    @Override
    public void symmetric(float[] a, int channels, int len, float[] scales, int qmax) {
        for (int c = 0; c < channels; c++) {
            symmetric(a, c * len, (c + 1) * len, 1f / scales[c], scales[c], qmax);
        }
    }

    /** One channel of {@link #symmetric(float[], int, int, float[], int)}: {@code [from, to)}. */
    void symmetric(float[] a, int from, int to, float inv, float s, int qmax) {
        for (int i = from; i < to; i++) {
            float x = a[i] * inv;
            x = x < -qmax ? -qmax : x > qmax ? qmax : x;
            a[i] = (float) Math.rint(x) * s;
        }
    }

    @Override
    public void passMask(float[] x, float[] e, int n, double lo, double hi, boolean relu) {
        passMask(x, e, 0, n, lo, hi, relu);
    }

    /** {@link #passMask(float[], float[], int, double, double, boolean)} over {@code [from, to)}. */
    void passMask(float[] x, float[] e, int from, int to, double lo, double hi, boolean relu) {
        for (int i = from; i < to; i++) {
            boolean pass = relu ? x[i] > 0 && x[i] <= hi : x[i] >= lo && x[i] <= hi;
            e[i] = pass ? e[i] : 0f;
        }
    }
}
