package org.squeeze4j.models;

/**
 * What a node of a {@link NetworkView} computes, as far as compression cares: whether it has a
 * weight to prune or quantize, and how that weight is laid out.
 *
 * <p>DL4J's own class hierarchy is no guide here: {@code DepthwiseConvolution2D},
 * {@code SeparableConvolution2D} and {@code Deconvolution2D} all extend {@code ConvolutionLayer},
 * each with another weight layout, so code that tests {@code instanceof ConvolutionLayer} and
 * then reads axis 0 as the output channel silently computes nonsense on them. A kind is decided
 * once, by exact class, in {@link NetworkView}.
 */
public enum LayerKind {
    /** Fully connected, {@code W [nIn, nOut]}: output channel on axis 1. */
    DENSE(true),
    /** DL4J's {@code OutputLayer}: a dense layer with a loss, {@code W [nIn, nOut]}. */
    OUTPUT(true),
    /** 2-D convolution, {@code W [nOut, nIn, kH, kW]}: output channel on axis 0. */
    CONV(true),
    /** Depthwise 2-D convolution, {@code W [kH, kW, nIn, multiplier]}: output channel {@code c * multiplier + m}. */
    DEPTHWISE(true),
    /** Depthwise then pointwise convolution: {@code W [multiplier, nIn, kH, kW]} and {@code pW [nOut, multiplier nIn, 1, 1]}. */
    SEPARABLE(true),
    /** Transposed 2-D convolution, {@code W [nIn, nOut, kH, kW]}: output channel on axis 1. */
    DECONV(true),
    /** Batch normalization: per-channel {@code gamma, beta, mean, var}. */
    BATCH_NORM(false),
    /** Max or average pooling over a window. */
    POOL(false),
    /** Pooling over all spatial positions (global average or max). */
    GLOBAL_POOL(false),
    /** An element-wise activation (ReLU, a fake quantizer, PACT's clipping). */
    ACTIVATION(false),
    /** Dropout (the identity at inference). */
    DROPOUT(false),
    /** Element-wise sum of its inputs: the join of a residual connection. */
    ADD(false),
    /** Concatenation of its inputs along the channel (feature) axis. */
    MERGE(false);

    private final boolean weighted;

    LayerKind(boolean weighted) {
        this.weighted = weighted;
    }

    /** Whether the node has a weight tensor {@code W} (the ones pruning and quantization work on). */
    public boolean weighted() {
        return weighted;
    }

    /** Convolutions of any flavour: the kinds whose input and output are {@code [n, c, h, w]}. */
    public boolean convolutional() {
        return this == CONV || this == DEPTHWISE || this == SEPARABLE || this == DECONV;
    }

    /**
     * Implemented by a custom DL4J layer configuration (such as squeeze4j's QAT layers) to say
     * which kind it is, so that the network view accepts it.
     */
    public interface Declared {
        /** This layer's kind. */
        LayerKind kind();
    }
}
