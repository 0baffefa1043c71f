package org.squeeze4j.prune.structured;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Picking slices of a parameter along one axis, for the surgery that removes units and channels. */
public final class Slices {
    private Slices() {
    }

    /** The slices {@code keep} of {@code a} along {@code axis}, in that order, as a new array. */
    public static INDArray select(INDArray a, int axis, int[] keep) {
        int rank = a.rank();
        int[] toFront = new int[rank];
        toFront[0] = axis;
        for (int d = 0, k = 1; d < rank; d++) {
            if (d != axis) {
                toFront[k++] = d;
            }
        }
        INDArray front = a.permute(toFront).dup('c');
        long[] shape = front.shape();
        long rest = front.length() / shape[0];
        INDArray picked = Nd4j.pullRows(front.reshape('c', shape[0], rest), 1, keep);
        shape[0] = keep.length;
        INDArray back = picked.reshape('c', shape);
        int[] inverse = new int[rank];
        for (int d = 0; d < rank; d++) {
            inverse[toFront[d]] = d;
        }
        return back.permute(inverse).dup('c');
    }

    /**
     * The input rows of a dense layer that reads channels {@code keep} of a flattened map with
     * {@code positions} entries per channel: channel {@code c} occupies rows
     * {@code c·positions … (c+1)·positions − 1} (DL4J flattens {@code [c, h, w]} in C order).
     */
    public static int[] expand(int[] keep, long positions) {
        int[] rows = new int[Math.toIntExact(keep.length * positions)];
        int r = 0;
        for (int c : keep) {
            for (long p = 0; p < positions; p++) {
                rows[r++] = Math.toIntExact(c * positions + p);
            }
        }
        return rows;
    }
}
