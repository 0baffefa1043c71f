package org.squeeze4j.sparse;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense layer {@code y = act(x W + b)} whose weights are stored in compressed sparse row form
 * by output unit: for output {@code j}, the inputs {@code cols[rowStart[j] .. rowStart[j+1])}
 * with weights {@code values[...]}. The batch-1 forward pass then costs one multiply-add per
 * surviving weight instead of {@code nIn · nOut}, which is how a pruned network becomes faster.
 *
 * <p>Plain Java loops over primitive arrays (the JIT vectorises nothing here, but avoids the
 * per-operation overhead that dominates ND4J at batch 1); the reference is the dense ND4J layer,
 * see the sparse-kernel benchmark.
 */
public final class SparseDense implements DenseKernel {
    private final int nIn;
    private final int nOut;
    private final int[] rowStart;
    private final int[] cols;
    private final float[] values;
    private final float[] bias;
    private final boolean relu;

    private SparseDense(int nIn, int nOut, int[] rowStart, int[] cols, float[] values, float[] bias, boolean relu) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.rowStart = rowStart;
        this.cols = cols;
        this.values = values;
        this.bias = bias;
        this.relu = relu;
    }

    /** Compresses a DL4J dense weight {@code W[nIn, nOut]} and bias; exact zeros are dropped. */
    public static SparseDense of(INDArray weights, INDArray bias, boolean relu) {
        DenseWeights d = DenseWeights.of(weights, bias);
        int nIn = d.nIn();
        int nOut = d.nOut();
        float[][] w = d.w();
        int nnz = d.nonZeros();
        int[] rowStart = new int[nOut + 1];
        int[] cols = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int j = 0; j < nOut; j++) {
            rowStart[j] = k;
            for (int i = 0; i < nIn; i++) {
                if (w[i][j] != 0f) {
                    cols[k] = i;
                    values[k++] = w[i][j];
                }
            }
        }
        rowStart[nOut] = k;
        return new SparseDense(nIn, nOut, rowStart, cols, values, d.bias(), relu);
    }

    /** {@code y = act(x W + b)} for one input vector. */
    @Override
    public void forward(float[] x, float[] y) {
        if (x.length != nIn || y.length != nOut) {
            throw new IllegalArgumentException("expected " + nIn + " inputs and " + nOut + " outputs, got " + x.length + " and " + y.length);
        }
        for (int j = 0; j < nOut; j++) {
            float sum = bias[j];
            for (int k = rowStart[j], end = rowStart[j + 1]; k < end; k++) {
                sum += values[k] * x[cols[k]];
            }
            y[j] = relu && sum < 0 ? 0f : sum;
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

    /** Stored (non-zero) weights. */
    @Override
    public int nonZeros() {
        return values.length;
    }

    @Override
    public boolean relu() {
        return relu;
    }

    /**
     * Bytes of this CSR form with float32 values and int32 indices:
     * {@code 4·nnz} values + {@code 4·nnz} column indices + {@code 4·(nOut+1)} row starts + {@code 4·nOut} biases.
     */
    public long csrBytes() {
        return 4L * values.length + 4L * cols.length + 4L * rowStart.length + 4L * bias.length;
    }
}
