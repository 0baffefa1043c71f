package org.squeeze4j.quant.qat;

import java.util.Locale;
import java.util.Random;

/**
 * Harness (not a test; in this package because {@link QuantLoops} is package-private): microseconds
 * per call of each fake-quant loop, scalar and vector, on the sizes of a LeNet-300-100 training
 * step: a batch of 128 MNIST-sized activations (100,352 floats) and the 784x300 first-layer weight
 * (300 channels of 784). Minimum of 50 calls, after six untimed rounds. Run:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     org.squeeze4j.quant.qat.QuantLoopsBench
 * </pre>
 */
public final class QuantLoopsBench {
    private QuantLoopsBench() {
    }

    public static void main(String[] args) {
        Random r = new Random(1);
        float[] src = new float[128 * 784];
        for (int i = 0; i < src.length; i++) {
            src[i] = r.nextFloat() * 2 - 0.5f;
        }
        float[] w = new float[784 * 300];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        float[] scales = new float[300];
        java.util.Arrays.fill(scales, 0.001f);
        float[] a = new float[src.length];
        float[] e = new float[src.length];
        float[] ww = new float[w.length];
        float[] max = new float[300];
        double[] loHi = new double[2];
        QuantLoops[] impls = {QuantLoops.scalar(), QuantLoops.vector().orElseThrow(
                () -> new IllegalStateException("run with --add-modules jdk.incubator.vector"))};
        for (int round = 0; round < 8; round++) {
            for (QuantLoops loops : impls) {
                long[] best = new long[5];
                java.util.Arrays.fill(best, Long.MAX_VALUE);
                for (int rep = 0; rep < 50; rep++) {
                    System.arraycopy(src, 0, a, 0, a.length);
                    System.arraycopy(w, 0, ww, 0, w.length);
                    long t0 = System.nanoTime();
                    loops.minMax(a, a.length, loHi);
                    long t1 = System.nanoTime();
                    loops.affine(a, a.length, 1.5 / 255, 85, 255);
                    long t2 = System.nanoTime();
                    loops.passMask(src, e, e.length, -0.5, 1.0, true);
                    long t3 = System.nanoTime();
                    loops.maxAbs(ww, 300, 784, max);
                    long t4 = System.nanoTime();
                    loops.symmetric(ww, 300, 784, scales, 127);
                    long t5 = System.nanoTime();
                    long[] d = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
                    for (int k = 0; k < 5; k++) {
                        best[k] = Math.min(best[k], d[k]);
                    }
                }
                if (round >= 6) {
                    System.out.println(String.format(Locale.ROOT,
                            "%-16s minMax %5d us  affine %5d us  passMask %5d us  maxAbs %5d us  symmetric %5d us",
                            loops.getClass().getSimpleName(), best[0] / 1000, best[1] / 1000, best[2] / 1000,
                            best[3] / 1000, best[4] / 1000));
                }
            }
        }
    }
}
