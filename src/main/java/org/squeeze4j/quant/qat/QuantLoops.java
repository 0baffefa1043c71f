package org.squeeze4j.quant.qat;

import java.util.Optional;
import org.squeeze4j.util.VectorApi;

/**
 * The element loops that fake quantization runs on every training step, over float32 buffers
 * (activations of a batch, a layer's weights). They are the whole cost of QAT beyond float
 * training, so they come in two implementations that give the same numbers:
 * <ul>
 *   <li>{@link #scalar()}: plain Java, the reference;</li>
 *   <li>{@link #vector()}: the Java 17 incubator Vector API, 8-16 floats per instruction, when the
 *       JVM runs with {@code --add-modules jdk.incubator.vector} (the notebook kernel and the tests
 *       do). Measured with {@code QuantLoopsBench} (test sources), per call: on a batch of 128
 *       MNIST images the activation quantizer takes 56 us instead of 1229 us and the error mask
 *       11-14 us instead of 680 us; on the 784x300 weight, max-abs 18 instead of 123 us and the
 *       quantizer 28 instead of 244 us.</li>
 * </ul>
 * A hand-written loop, not ND4J ops: one fused pass reads each value once, while the same
 * arithmetic as ND4J ops takes 4-7 ops with their per-op overhead (that version cost 2x a float
 * epoch). C2 does not auto-vectorize the scalar loops ({@code Math.rint}, the clip and the
 * double-precision division stay scalar), hence the explicit vector version.
 *
 * <p>"The same numbers": every value is equal ({@code ==}, NaN where the reference gives NaN); a
 * zero may differ in sign, which nothing downstream can see. NaN inputs stay NaN in the output and
 * are ignored by the range statistics.
 */
interface QuantLoops {

    /**
     * Smallest and largest of {@code a[0, n)}, NaN ignored, into {@code loHi[0]} and {@code loHi[1]}
     * ({@code +inf} and {@code -inf} when there is no number).
     */
    void minMax(float[] a, int n, double[] loHi);

    /**
     * Unsigned affine fake quantization in place, in float64 like the engine's input quantizer:
     * {@code a[i] = (float) ((rint(clip(a[i] / s + z, 0, qmax)) - z) * s)} for {@code i < n}.
     */
    void affine(float[] a, int n, double s, double z, int qmax);

    /**
     * Per-channel {@code max |w|}, NaN ignored (0 for a channel of NaNs): {@code out[c]} for channel
     * {@code c = a[c len, (c + 1) len)}.
     */
    void maxAbs(float[] a, int channels, int len, float[] out);

    /**
     * Symmetric per-channel fake quantization in place, in float32, channel {@code c = a[c len, (c + 1) len)}:
     * {@code a[i] = rint(clip(a[i] * inv_c, -qmax, qmax)) * s_c} with {@code inv_c = 1f / s_c}.
     */
    void symmetric(float[] a, int channels, int len, float[] scales, int qmax);

    /**
     * The clipped straight-through estimator's mask applied to the output error, in place:
     * {@code e[i] = 0} unless {@code lo <= x[i] <= hi} (with {@code relu}: unless
     * {@code 0 < x[i] <= hi}, ReLU's own derivative being 0 at and below 0).
     */
    void passMask(float[] x, float[] e, int n, double lo, double hi, boolean relu);

    /** The plain-Java loops (always available). */
    static QuantLoops scalar() {
        return ScalarQuantLoops.INSTANCE;
    }

    /**
     * The Vector-API loops, or empty when {@code jdk.incubator.vector} is not in the boot layer. The
     * class is loaded by name after the check, so a JVM without the module never touches it.
     */
    static Optional<QuantLoops> vector() {
        return VectorApi.load("org.squeeze4j.quant.qat.VectorQuantLoops", QuantLoops.class, "the vector fake-quant loops");
    }

    /** The vector loops if available, else the scalar ones; chosen once per JVM. */
    static QuantLoops best() {
        return Best.LOOPS;
    }

    /** Holder: the choice is made on first use. */
    final class Best {
        static final QuantLoops LOOPS = vector().orElse(scalar());

        private Best() {
        }
    }
}
