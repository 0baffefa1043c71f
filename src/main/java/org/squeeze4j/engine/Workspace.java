package org.squeeze4j.engine;

/**
 * Preallocated scratch arrays for one {@link IntRunner}: int32 accumulators and im2col patches,
 * sized once for the largest layer and batch so that inference allocates nothing.
 */
public final class Workspace {
    final int[] acc;
    final byte[] patches;

    Workspace(int accLength, int patchLength) {
        this.acc = new int[Math.max(1, accLength)];
        this.patches = new byte[Math.max(1, patchLength)];
    }
}
