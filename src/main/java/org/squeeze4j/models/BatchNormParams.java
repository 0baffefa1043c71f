package org.squeeze4j.models;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The inference-time parameters of one batch normalization, per channel and in float64:
 * {@code y = gamma (x - mean) / sqrt(variance + eps) + beta}, read the same way whether DL4J
 * stores the variance or ({@code useLogStd}, its default) {@code log10} of the standard deviation,
 * and whether gamma and beta are learned or locked.
 *
 * @param mean     running mean, {@code [C]}
 * @param variance running variance, {@code [C]}
 * @param gamma    scale, {@code [C]}
 * @param beta     shift, {@code [C]}
 * @param eps      the epsilon added to the variance
 */
public record BatchNormParams(INDArray mean, INDArray variance, INDArray gamma, INDArray beta, double eps) {

    /** {@code k = gamma / sqrt(variance + eps)}: the factor batch norm applies to channel {@code c}. */
    public INDArray scale() {
        return gamma.div(Transforms.sqrt(variance.add(eps), false));
    }

    /** Number of channels. */
    public long channels() {
        return mean.length();
    }
}
