package org.squeeze4j.quant.qat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.quant.Range;

/**
 * The fake-quant loops of the training path: the scalar loops against values computed by hand, the
 * Vector-API loops against the scalar ones on random data (every tail length, NaN, infinities,
 * ties), and the float32 paths of the weight hook and the activation against the reference paths
 * (codes times scales; the float64 activation).
 */
class QuantLoopsTest {
    private static final QuantLoops SCALAR = QuantLoops.scalar();

    private static QuantLoops vector() {
        assertTrue(Kernels.vectorAvailable(), "tests must run with --add-modules jdk.incubator.vector");
        return QuantLoops.vector().orElseThrow();
    }

    @Test
    void scalarLoopsByHand() {
        // affine, s = 0.5, z = 2, qmax = 7: codes rint(x / 0.5 + 2) clipped to [0, 7], value (code - 2) 0.5
        float[] a = {0.25f, 0.75f, -1.0f, -1.3f, 2.6f, 100f, Float.NaN, -0.0f};
        SCALAR.affine(a, a.length, 0.5, 2, 7);
        // u = x / 0.5 + 2: 2.5 -> 2 (half to even), 3.5 -> 4, 0 -> 0, -0.6 -> 0, 7.2 -> 7, 202 -> 7, NaN, 2
        assertArrayEquals(new float[] {0f, 1f, -1f, -1f, 2.5f, 2.5f, Float.NaN, 0f}, a);

        // symmetric, two channels of 3: s = 0.1 (inv 10) and s = 2 (inv 0.5), qmax = 3
        float[] w = {0.14f, -0.25f, 0.5f, 1f, -3f, 9f};
        SCALAR.symmetric(w, 2, 3, new float[] {0.1f, 2f}, 3);
        // 1.4 -> 1; -2.5 -> -2 (half to even); 5 -> 3; 0.5 -> 0; -1.5 -> -2; 4.5 -> clip 3
        assertArrayEquals(new float[] {0.1f, -2 * 0.1f, 3 * 0.1f, 0f, -4f, 6f}, w);

        double[] loHi = new double[2];
        SCALAR.minMax(new float[] {3f, Float.NaN, -2f, 7f}, 4, loHi);
        assertArrayEquals(new double[] {-2, 7}, loHi, "NaN ignored");
        SCALAR.minMax(new float[] {Float.NaN}, 1, loHi);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, loHi);

        float[] m = new float[2];
        SCALAR.maxAbs(new float[] {0.5f, -2f, Float.NaN, Float.NaN}, 2, 2, m);
        assertArrayEquals(new float[] {2f, 0f}, m, "NaN ignored, a channel of NaNs gives 0");

        float[] x = {-1f, 0f, 0.5f, 3f, 3.1f, Float.NaN};
        float[] e = {1f, 2f, 3f, 4f, 5f, 6f};
        SCALAR.passMask(x, e, 6, -0.5, 3.0, true);
        assertArrayEquals(new float[] {0f, 0f, 3f, 4f, 0f, 0f}, e, "ReLU: pass 0 < x <= 3");
        float[] e2 = {1f, 2f, 3f, 4f, 5f, 6f};
        SCALAR.passMask(x, e2, 6, -0.5, 3.0, false);
        assertArrayEquals(new float[] {0f, 2f, 3f, 4f, 0f, 0f}, e2, "identity: pass -0.5 <= x <= 3");
    }

    @Test
    void vectorLoopsEqualTheScalarOnes() {
        QuantLoops v = vector();
        Random r = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            int n = trial < 100 ? trial : trial < 390 ? r.nextInt(3000) : 100_352;
            float[] a = randomValues(r, n);
            double s = (float) (0.001 + r.nextDouble() * 0.1);
            double z = r.nextInt(256);
            int qmax = (1 << (1 + r.nextInt(8))) - 1;

            double[] ls = new double[2];
            double[] lv = new double[2];
            SCALAR.minMax(a, n, ls);
            v.minMax(a, n, lv);
            assertArrayEquals(ls, lv, "minMax n=" + n);

            float[] as = a.clone();
            float[] av = a.clone();
            SCALAR.affine(as, n, s, z, qmax);
            v.affine(av, n, s, z, qmax);
            assertSameValues(as, av, "affine n=" + n);

            int channels = 1 + r.nextInt(5);
            int len = n / channels;
            float[] ms = new float[channels];
            float[] mv = new float[channels];
            SCALAR.maxAbs(a, channels, len, ms);
            v.maxAbs(a, channels, len, mv);
            assertArrayEquals(ms, mv, "maxAbs n=" + n);

            float[] scales = new float[channels];
            for (int c = 0; c < channels; c++) {
                scales[c] = (float) (0.001 + r.nextDouble());
            }
            int wmax = (1 << r.nextInt(8)) - 1 + (trial % 2);
            float[] ws = a.clone();
            float[] wv = a.clone();
            SCALAR.symmetric(ws, channels, len, scales, Math.max(1, wmax));
            v.symmetric(wv, channels, len, scales, Math.max(1, wmax));
            assertSameValues(ws, wv, "symmetric n=" + n);

            double lo = r.nextGaussian();
            double hi = lo + Math.abs(r.nextGaussian()) * 3;
            for (boolean relu : new boolean[] {false, true}) {
                float[] es = randomValues(r, n);
                float[] ev = es.clone();
                SCALAR.passMask(a, es, n, lo, hi, relu);
                v.passMask(a, ev, n, lo, hi, relu);
                assertSameValues(es, ev, "passMask n=" + n + " relu=" + relu);
            }
        }
    }

    @Test
    void maskThresholdsAreExactForEveryFloat() {
        // x <= hi in double iff x <= atMost(hi) in float, for the floats around hi
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            double d = r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3);
            float down = VectorQuantLoops.atMost(d);
            float up = VectorQuantLoops.atLeast(d);
            for (float x = Math.nextDown(Math.nextDown((float) d)), k = 0; k < 5; k++, x = Math.nextUp(x)) {
                assertEquals(x <= d, x <= down, "atMost " + d + " at " + x);
                assertEquals(x >= d, x >= up, "atLeast " + d + " at " + x);
            }
        }
    }

    @Test
    void floatWeightPathEqualsCodesTimesScales() {
        Random r = new Random(3);
        MultiLayerNetwork net = SmallNets.mlp(DataType.FLOAT);
        for (WeightRange range : WeightRange.values()) {
            for (boolean perChannel : new boolean[] {true, false}) {
                for (int bits : new int[] {2, 4, 8}) {
                    FakeQuantWeightNoise n = new FakeQuantWeightNoise(bits, perChannel, range);
                    // a dense weight as the network stores it (an 'f' view into the parameter vector, second layer: offset > 0),
                    // a 'c' copy of it, and a conv weight [out, in, kH, kW]
                    INDArray view = net.getLayer(1).getParam("W");
                    assertTrue(view.isView() && view.offset() > 0, "a view with an offset");
                    assertFloatPathIsReference(n, view, 1);
                    assertFloatPathIsReference(n, view.dup('c'), 1);
                    assertFloatPathIsReference(n, Nd4j.randn(DataType.FLOAT, 5, 3, 3, 3).muli(0.2 + r.nextDouble()), 0);
                }
            }
        }
    }

    private static void assertFloatPathIsReference(FakeQuantWeightNoise n, INDArray w, int axis) {
        INDArray before = w.dup();
        INDArray fq = n.fakeQuantize(w, axis);
        assertEquals(before, w, "the weights are not modified");
        double[] s = n.scales(w, axis);
        byte[] codes = n.codes(w, axis);
        INDArray channelMajor = fq.dup(axis == 1 ? 'f' : 'c');
        float[] got = FakeQuant.read(channelMajor);
        int len = got.length / s.length;
        for (int i = 0; i < got.length; i++) {
            assertEquals(codes[i] * (float) s[i / len], got[i], 0f, n + " element " + i);
        }
        assertArrayEquals(w.shape(), fq.shape());
    }

    @Test
    void floatActivationPathEqualsTheFloat64One() {
        Random r = new Random(8);
        for (boolean relu : new boolean[] {false, true}) {
            for (int bits : new int[] {2, 4, 8}) {
                INDArray x = Nd4j.create(randomFinite(r, 6 * 77), new long[] {6, 77}, 'c');
                FakeQuantActivation f = activation(relu, bits);
                FakeQuantActivation d = activation(relu, bits);
                INDArray yf = f.getActivation(x.dup(), true);
                INDArray yd = d.getActivation(x.castTo(DataType.DOUBLE), true);
                assertEquals(d.range(), f.range(), "same observed range");
                assertEquals(yd.castTo(DataType.FLOAT), yf, "same values");

                INDArray eps = Nd4j.create(randomFinite(r, 6 * 77), new long[] {6, 77}, 'c');
                INDArray epsBefore = eps.dup();
                INDArray in = x.dup();
                INDArray gf = f.backprop(in, eps).getFirst();
                assertSame(in, gf, "the fused pass writes the gradient into in, as DL4J's activations do");
                INDArray gd = d.backprop(x.castTo(DataType.DOUBLE), eps.castTo(DataType.DOUBLE)).getFirst();
                assertEquals(gd.castTo(DataType.FLOAT), gf, "same clipped STE mask");
                assertEquals(epsBefore, eps, "the incoming error is not modified");
            }
        }
    }

    private static FakeQuantActivation activation(boolean relu, int bits) {
        FakeQuantActivation a = new FakeQuantActivation(relu ? new ActivationReLU() : new ActivationIdentity(), bits, false, 0.1, -1);
        a.setRange(new Range(-0.7, 2.3));
        return a;
    }

    /** Gaussian values with NaN, infinities, signed zeros, exact quantization ties and huge values mixed in. */
    private static float[] randomValues(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(40);
            a[i] = switch (k) {
                case 0 -> Float.NaN;
                case 1 -> Float.POSITIVE_INFINITY;
                case 2 -> Float.NEGATIVE_INFINITY;
                case 3 -> -0.0f;
                case 4 -> 0.0f;
                case 5 -> (r.nextInt(512) - 256) * 0.5f;   // halves: ties for unit scales
                case 6 -> (float) (r.nextGaussian() * 1e30);
                default -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
            };
        }
        return a;
    }

    private static float[] randomFinite(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 1.5);
        }
        return a;
    }

    /** Equal as numbers (a zero may differ in sign), NaN where the other is NaN. */
    private static void assertSameValues(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            boolean same = expected[i] == actual[i] || (Float.isNaN(expected[i]) && Float.isNaN(actual[i]));
            assertTrue(same, what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
        }
    }
}
