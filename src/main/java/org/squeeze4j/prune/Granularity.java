package org.squeeze4j.prune;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The unit that is kept or pruned, turning element scores into a mask of the shape of {@code W}.
 *
 * <p>DL4J stores a dense layer's weights as {@code W[nIn, nOut]} and a convolution's as
 * {@code W[cOut, cIn, kH, kW]}; an output unit (neuron or filter) is a column of the former and
 * a leading slice of the latter.
 *
 * <ul>
 * <li>{@link #element()}: each weight on its own (unstructured pruning);</li>
 * <li>{@link #nOfM(int, int)}: semi-structured N:M sparsity, keep the {@code n} highest of every
 *     {@code m} consecutive inputs of each output (NVIDIA's 2:4, Mishra et al. 2021); the
 *     selection is ignored because the pattern fixes the sparsity at {@code 1 - n/m};</li>
 * <li>{@link #outputUnits(Norm)}: whole neurons / filters, scored by the L1 or L2 norm of their
 *     element scores (Li et al. 2017 use the L1 norm of a filter's weights).</li>
 * </ul>
 */
@FunctionalInterface
public interface Granularity {

    /** A 0/1 keep-mask of {@code weights}' shape. */
    INDArray mask(INDArray weights, INDArray scores, Selection selection);

    /** Reduction of a structure's element scores to one score. */
    enum Norm { L1, L2 }

    /** Each weight on its own. */
    Granularity ELEMENT = (weights, scores, selection) -> selection.keep(scores, weights);

    static Granularity element() {
        return ELEMENT;
    }

    /** N:M semi-structured sparsity along the input dimension. */
    static Granularity nOfM(int n, int m) {
        if (m <= 0 || n <= 0 || n > m) {
            throw new IllegalArgumentException("N:M needs 0 < N <= M, got " + n + ":" + m);
        }
        return (weights, scores, selection) -> {
            INDArray rows = asOutputRows(scores); // [outputs, inputs]
            int inputs = (int) rows.size(1);
            if (inputs % m != 0) {
                throw new IllegalArgumentException("the " + n + ":" + m + " pattern needs the number of inputs per output to be a multiple of "
                        + m + ", but this layer has " + inputs + " (weights " + Arrays.toString(weights.shape()) + ")");
            }
            double[][] s = rows.castTo(DataType.DOUBLE).toDoubleMatrix();
            float[][] keep = new float[s.length][inputs];
            for (int r = 0; r < s.length; r++) {
                for (int g = 0; g < inputs; g += m) {
                    Integer[] idx = new Integer[m];
                    final int base = g;
                    final double[] row = s[r];
                    Arrays.setAll(idx, i -> base + i);
                    Arrays.sort(idx, (a, b) -> {
                        int c = Double.compare(row[b], row[a]);
                        return c != 0 ? c : Integer.compare(a, b);
                    });
                    for (int i = 0; i < n; i++) {
                        keep[r][idx[i]] = 1f;
                    }
                }
            }
            return fromOutputRows(Nd4j.create(keep), weights.shape());
        };
    }

    /** Whole neurons (dense) or filters (convolution). */
    static Granularity outputUnits(Norm norm) {
        return (weights, scores, selection) -> {
            INDArray rows = asOutputRows(scores);
            INDArray unitScores = (norm == Norm.L1 ? rows.norm1(1) : rows.norm2(1)).reshape(rows.size(0));
            INDArray unitWeights = asOutputRows(weights).norm1(1).reshape(rows.size(0));
            INDArray keepUnits = selection.keep(unitScores, unitWeights).reshape(rows.size(0), 1);
            INDArray keepRows = Nd4j.ones(DataType.FLOAT, rows.shape()).muliColumnVector(keepUnits);
            return fromOutputRows(keepRows, weights.shape());
        };
    }

    /** {@code [outputs, inputs]}: W transposed for dense layers; for convolutions inputs are (kH, kW, cIn), cIn fastest. */
    static INDArray asOutputRows(INDArray w) {
        if (w.rank() == 2) {
            return w.transpose().dup('c');
        }
        if (w.rank() == 4) {
            return w.permute(0, 2, 3, 1).dup('c').reshape(w.size(0), w.size(1) * w.size(2) * w.size(3));
        }
        throw new IllegalArgumentException("can only prune rank-2 (dense) or rank-4 (convolution) weights, got shape " + Arrays.toString(w.shape()));
    }

    /** Inverse of {@link #asOutputRows}. */
    static INDArray fromOutputRows(INDArray rows, long[] shape) {
        if (shape.length == 2) {
            return rows.transpose().dup('c');
        }
        return rows.reshape(shape[0], shape[2], shape[3], shape[1]).permute(0, 3, 1, 2).dup('c');
    }
}
