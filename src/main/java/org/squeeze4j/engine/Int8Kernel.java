package org.squeeze4j.engine;

/**
 * The one inner loop of the integer engine: uint8 activations times int8 weights, accumulated in
 * int32 (Jacob et al. 2018, section 2.3, the {@code sum_j q2 q3} term of eq. 7):
 * <pre>
 *   acc[i nOut + o] = sum_{j &lt; k} (a[i k + j] as uint8) * w[o k + j]        i &lt; m, o &lt; nOut
 * </pre>
 * Dense layers call it with the batch rows as {@code a}; convolutions call
 * {@link #weightsTimesColumns}, the same sum over transposed im2col patches.
 * Weights are stored output-major ({@code w[o][j]}) so both operands are contiguous. With
 * {@code k <= 2^16} the sum cannot overflow ({@code 255 * 128 * 2^16 < 2^31}).
 *
 * <p>Implementations: {@link ScalarKernel} (plain loops, always available) and
 * {@code VectorKernel} ({@code jdk.incubator.vector}, loaded only when that module is present, see
 * {@link Kernels#best()}). They must give identical results: integer sums are exact in any order.
 */
public interface Int8Kernel {
    /** Longest dot product the kernels accept (no int32 overflow below it). */
    int MAX_DEPTH = 1 << 16;

    /** Fills {@code acc[0 .. m*nOut)} as above. */
    void matmul(byte[] a, int m, int k, byte[] w, int nOut, int[] acc);

    /**
     * The same products for a convolution whose patches are stored position-minor (transposed
     * im2col, {@code cols[j][p]}: the codes widened to short), with output-major accumulators:
     * <pre>
     *   acc[o stride + p] = sum_{j &lt; k} cols[j stride + p] * w[o k + j]        p &lt; m, o &lt; nOut
     * </pre>
     * so that each output channel's accumulators are contiguous, as its output plane is. Vectors
     * run along the positions, which every convolution has many of, instead of along {@code k}
     * (9 for a 3x3 stem) or the outputs (16 to 64 here); there is no horizontal sum. {@code stride}
     * must be {@link #columnStride(int) columnStride(m)}; values at positions {@code m .. stride)} are
     * read but do not reach {@code acc[.. m)}.
     */
    void weightsTimesColumns(short[] cols, int stride, int m, int k, byte[] w, int nOut, int[] acc);

    /** The row stride {@link #weightsTimesColumns} needs for {@code m} positions (a multiple of the vector length). */
    int columnStride(int m);

    /** A short name for reports, e.g. "scalar" or "vector(512 bit)". */
    String name();
}
