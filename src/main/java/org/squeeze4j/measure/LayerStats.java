package org.squeeze4j.measure;

/**
 * Size and cost of one layer.
 *
 * @param index position in the network
 * @param name the layer's name (e.g. {@code fc1})
 * @param type layer kind, e.g. "Dense", "Convolution", "Subsampling", "Output"
 * @param outputShape activation shape for one sample, e.g. "20x24x24" or "300"
 * @param params number of parameters (weights and biases)
 * @param nonZeroParams parameters that are not exactly zero
 * @param macs multiply-accumulates for one sample (weights times output positions; biases and pooling not counted)
 */
public record LayerStats(int index, String name, String type, String outputShape, long params, long nonZeroParams, long macs) {
    /** Parameters stored as raw float32. */
    public long float32Bytes() {
        return 4L * params;
    }

    /** Fraction of parameters that are zero, in [0, 1] (0 for a layer without parameters). */
    public double sparsity() {
        return params == 0 ? 0 : 1.0 - (double) nonZeroParams / params;
    }
}
