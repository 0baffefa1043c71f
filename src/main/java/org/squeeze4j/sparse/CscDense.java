package org.squeeze4j.sparse;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense layer {@code y = act(x W + b)} whose weights are stored in compressed sparse
 * <em>column</em> form by input (CSC of {@code Wᵀ}, i.e. the rows of DL4J's {@code W[nIn, nOut]}):
 * for input {@code i}, the outputs {@code rows[colStart[i] .. colStart[i+1])} with weights
 * {@code values[...]}. The forward pass scatters each input into the outputs it feeds:
 * <pre>
 *   y = b;   for every i with x_i != 0:   y[rows[k]] += values[k] · x_i   (k in column i);   y = act(y)
 * </pre>
 * so an input that is zero costs one comparison instead of its whole column. This is the kernel
 * that turns <em>activation</em> sparsity (ReLU zeros, the {@code |a| < β·max|a|} rule, black
 * MNIST pixels) into time, on top of weight sparsity: work = surviving weights of the non-zero
 * inputs (Han et al. 2016, EIE, which stores weights the same way for the same reason).
 *
 * <p>{@link SparseDense} (CSR by output) computes the same sums in a different order, so results
 * agree up to float rounding, not bit for bit.
 */
public final class CscDense implements DenseKernel {
    private final int nIn;
    private final int nOut;
    private final int[] colStart;
    private final int[] rows;
    private final float[] values;
    private final float[] bias;
    private final boolean relu;

    private CscDense(int nIn, int nOut, int[] colStart, int[] rows, float[] values, float[] bias, boolean relu) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.colStart = colStart;
        this.rows = rows;
        this.values = values;
        this.bias = bias;
        this.relu = relu;
    }

    /** Compresses a DL4J dense weight {@code W[nIn, nOut]} and bias; exact zeros are dropped. */
    public static CscDense of(INDArray weights, INDArray bias, boolean relu) {
        DenseWeights d = DenseWeights.of(weights, bias);
        int nIn = d.nIn();
        int nOut = d.nOut();
        float[][] w = d.w();
        int nnz = d.nonZeros();
        int[] colStart = new int[nIn + 1];
        int[] rows = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int i = 0; i < nIn; i++) {
            colStart[i] = k;
            for (int j = 0; j < nOut; j++) {
                if (w[i][j] != 0f) {
                    rows[k] = j;
                    values[k++] = w[i][j];
                }
            }
        }
        colStart[nIn] = k;
        return new CscDense(nIn, nOut, colStart, rows, values, d.bias(), relu);
    }

    /** {@code y = act(x W + b)} for one input vector, skipping zero inputs. */
    @Override
    public void forward(float[] x, float[] y) {
        if (x.length != nIn || y.length != nOut) {
            throw new IllegalArgumentException("expected " + nIn + " inputs and " + nOut + " outputs, got " + x.length + " and " + y.length);
        }
        System.arraycopy(bias, 0, y, 0, nOut);
        for (int i = 0; i < nIn; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            for (int k = colStart[i], end = colStart[i + 1]; k < end; k++) {
                y[rows[k]] += values[k] * xi;
            }
        }
        if (relu) {
            for (int j = 0; j < nOut; j++) {
                if (y[j] < 0f) {
                    y[j] = 0f;
                }
            }
        }
    }

    @Override
    public int inputs() {
        return nIn;
    }

    @Override
    public int outputs() {
        return nOut;
    }

    @Override
    public int nonZeros() {
        return values.length;
    }

    @Override
    public boolean relu() {
        return relu;
    }

    /**
     * Bytes of this CSC form with float32 values and int32 indices:
     * {@code 4·nnz} values + {@code 4·nnz} row indices + {@code 4·(nIn+1)} column starts + {@code 4·nOut} biases.
     */
    public long cscBytes() {
        return 4L * values.length + 4L * rows.length + 4L * colStart.length + 4L * bias.length;
    }
}
