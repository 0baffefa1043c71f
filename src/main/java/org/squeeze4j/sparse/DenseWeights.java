package org.squeeze4j.sparse;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J dense layer's weights {@code W[nIn, nOut]} and bias as Java arrays, checked, with the
 * count of non-zero weights: the common input of the sparse formats (CSR, CSC).
 */
record DenseWeights(int nIn, int nOut, float[][] w, float[] bias, int nonZeros) {

    static DenseWeights of(INDArray weights, INDArray bias) {
        if (weights.rank() != 2) {
            throw new IllegalArgumentException("a dense layer's weights are [nIn, nOut], got rank " + weights.rank());
        }
        int nIn = (int) weights.size(0);
        int nOut = (int) weights.size(1);
        if (bias.length() != nOut) {
            throw new IllegalArgumentException("bias has " + bias.length() + " values for " + nOut + " outputs");
        }
        float[][] w = weights.castTo(DataType.FLOAT).toFloatMatrix();
        int nnz = 0;
        for (float[] row : w) {
            for (float v : row) {
                if (v != 0f) {
                    nnz++;
                }
            }
        }
        float[] b = bias.castTo(DataType.FLOAT).dup('c').reshape(nOut).toFloatVector();
        return new DenseWeights(nIn, nOut, w, b, nnz);
    }
}
