package org.squeeze4j.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets how many threads ND4J computes with, at run time. {@code OMP_NUM_THREADS} is read once at
 * start-up by two thread pools: libnd4j's own (element-wise ops and reductions, its "master"
 * threads) and the BLAS library's (matrix products); this sets both. (libnd4j's
 * {@code Environment.setMaxThreads} has no visible effect in ND4J 1.0.0-M2.1: {@code maxThreads()}
 * keeps its start-up value. It is set anyway, for versions where it works.)
 *
 * <p>Why a notebook would want one thread: for small networks the work per op is a few
 * microseconds, and on a shared 2-core machine a second OpenMP thread mostly waits and spins.
 * Measured for one LeNet-300-100 training step (batch 128, median of blocks of 10 steps) on the
 * 2-core CI machine started with {@code OMP_NUM_THREADS=2}: 19.5-25.5 ms as started, 11.8-14.3 ms
 * after {@code set(1)}, 9.5-11.3 ms for a JVM started with {@code OMP_NUM_THREADS=1} (three runs
 * of a probe, one of the harness {@code QatStepBench} in the test sources: its "float" row, with
 * and without the thread argument 1).
 */
public final class Nd4jThreads {
    private Nd4jThreads() {
    }

    /** Uses {@code threads} threads for libnd4j's ops and for BLAS. */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("ND4J needs at least one thread, got " + threads);
        }
        Nd4j.getEnvironment().setMaxMasterThreads(threads);   // first: libnd4j keeps maxThreads >= maxMasterThreads
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** The BLAS thread count, the one that decides the speed of the matrix products. */
    public static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }
}
