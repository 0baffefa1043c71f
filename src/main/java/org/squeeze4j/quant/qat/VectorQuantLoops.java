package org.squeeze4j.quant.qat;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link QuantLoops} with the Java 17 incubator Vector API. Only {@link QuantLoops#vector()} refers
 * to this class, by name, after checking that the module is present.
 *
 * <p>Three tricks keep every lane equal to {@link ScalarQuantLoops}:
 * <ul>
 *   <li><b>Rounding by a magic constant.</b> JDK 17's API has no {@code rint}; for {@code |x| <= 2^22}
 *       (float) or {@code 2^51} (double), {@code (x + 1.5 2^23) - 1.5 2^23} (resp. {@code 2^52}) is
 *       {@code rint(x)} exactly: the sum lands where the spacing of floats is 1, and the hardware
 *       rounds half to even. The values are clipped to at most 255 first. (Only the sign of a zero
 *       can differ: {@code rint(-0.3) = -0.0}, this gives {@code +0.0}.)</li>
 *   <li><b>Clipping and masks by compare and blend</b>, so a NaN lane compares false and passes
 *       through (or is ignored by min/max), as in the scalar loops.</li>
 *   <li><b>The activation quantizer in float64</b>, like the scalar loop and the engine's input
 *       quantizer: 4 (AVX2) or 8 (AVX-512) floats are widened to doubles, divided, rounded and
 *       narrowed back. The error mask compares floats against the float thresholds that make
 *       {@code x <= hi} and {@code x >= lo} exact for every float {@code x}.</li>
 * </ul>
 */
final class VectorQuantLoops implements QuantLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** As many floats as {@link #D} has doubles (128 bits on AVX2). */
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final float ROUND_F = 0x1.8p23f;
    private static final double ROUND_D = 0x1.8p52;

    VectorQuantLoops() {
    }

    @Override
    public void minMax(float[] a, int n, double[] loHi) {
        FloatVector lo = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        FloatVector hi = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, a, i);
            lo = lo.blend(v, v.compare(VectorOperators.LT, lo));
            hi = hi.blend(v, v.compare(VectorOperators.GT, hi));
        }
        float l = lo.reduceLanes(VectorOperators.MIN);
        float h = hi.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            l = a[i] < l ? a[i] : l;
            h = a[i] > h ? a[i] : h;
        }
        loHi[0] = l;
        loHi[1] = h;
    }

    @Override
    public void affine(float[] a, int n, double s, double z, int qmax) {
        double top = qmax;
        int i = 0;
        for (int bound = FD.loopBound(n); i < bound; i += FD.length()) {
            DoubleVector c = ((DoubleVector) FloatVector.fromArray(FD, a, i).convertShape(VectorOperators.F2D, D, 0)).div(s).add(z);
            c = c.blend(0.0, c.compare(VectorOperators.LE, 0.0)).blend(top, c.compare(VectorOperators.GT, top));
            c = c.add(ROUND_D).sub(ROUND_D).sub(z).mul(s);
            ((FloatVector) c.convertShape(VectorOperators.D2F, FD, 0)).intoArray(a, i);
        }
        ScalarQuantLoops.INSTANCE.affine(a, i, n, s, z, qmax);
    }

    @Override
    public void maxAbs(float[] a, int channels, int len, float[] out) {
        int bound = F.loopBound(len);
        for (int c = 0; c < channels; c++) {
            int from = c * len;
            FloatVector m = FloatVector.zero(F);
            int i = from;
            for (int end = from + bound; i < end; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, a, i).abs();
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            float r = m.reduceLanes(VectorOperators.MAX);
            float rest = ScalarQuantLoops.INSTANCE.maxAbs(a, i, from + len);
            out[c] = rest > r ? rest : r;
        }
    }

    @Override
    public void symmetric(float[] a, int channels, int len, float[] scales, int qmax) {
        float top = qmax;
        int bound = F.loopBound(len);
        for (int c = 0; c < channels; c++) {
            float s = scales[c];
            float inv = 1f / s;
            int from = c * len;
            int i = from;
            for (int end = from + bound; i < end; i += F.length()) {
                FloatVector x = FloatVector.fromArray(F, a, i).mul(inv);
                x = x.blend(-top, x.compare(VectorOperators.LT, -top)).blend(top, x.compare(VectorOperators.GT, top));
                x.add(ROUND_F).sub(ROUND_F).mul(s).intoArray(a, i);
            }
            ScalarQuantLoops.INSTANCE.symmetric(a, i, from + len, inv, s, qmax);
        }
    }

    @Override
    public void passMask(float[] x, float[] e, int n, double lo, double hi, boolean relu) {
        float h = atMost(hi);
        float l = relu ? 0f : atLeast(lo);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(n);
        if (relu) {           // two loops: the Vector API compiles a comparison to one instruction only when its operator is a constant
            for (; i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                VectorMask<Float> pass = v.compare(VectorOperators.GT, l).and(v.compare(VectorOperators.LE, h));
                zero.blend(FloatVector.fromArray(F, e, i), pass).intoArray(e, i);
            }
        } else {
            for (; i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                VectorMask<Float> pass = v.compare(VectorOperators.GE, l).and(v.compare(VectorOperators.LE, h));
                zero.blend(FloatVector.fromArray(F, e, i), pass).intoArray(e, i);
            }
        }
        ScalarQuantLoops.INSTANCE.passMask(x, e, i, n, lo, hi, relu);
    }

    /** The largest float {@code f <= d}: then {@code x <= d} iff {@code x <= f} for every float x. */
    static float atMost(double d) {
        float f = (float) d;
        return f > d ? Math.nextDown(f) : f;
    }

    /** The smallest float {@code f >= d}: then {@code x >= d} iff {@code x >= f} for every float x. */
    static float atLeast(double d) {
        float f = (float) d;
        return f < d ? Math.nextUp(f) : f;
    }
}
