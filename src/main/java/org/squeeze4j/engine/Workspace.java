package org.squeeze4j.engine;

/**
 * Preallocated scratch arrays for one {@link IntRunner}: int32 accumulators and im2col patches,
 * sized once for the largest layer and batch so that inference allocates nothing; and the
 * position-minor columns of convolutions with their accumulators, grown on the first call that
 * needs them (their size depends on the kernel's row stride) and reused from then on.
 */
public final class Workspace {
    final int[] acc;
    final byte[] patches;
    private short[] columns = new short[0];
    private int[] columnAcc = new int[0];

    /** At least {@code n} shorts for {@code [depth][stride]} convolution columns. */
    short[] columns(int n) {
        if (columns.length < n) {
            columns = new short[n];
        }
        return columns;
    }

    /** At least {@code n} ints for {@code [outChannels][stride]} convolution accumulators. */
    int[] columnAccumulators(int n) {
        if (columnAcc.length < n) {
            columnAcc = new int[n];
        }
        return columnAcc;
    }

    Workspace(int accLength, int patchLength) {
        this.acc = new int[Math.max(1, accLength)];
        this.patches = new byte[Math.max(1, patchLength)];
    }
}
