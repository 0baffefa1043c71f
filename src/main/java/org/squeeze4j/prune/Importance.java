package org.squeeze4j.prune;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.models.Networks;

/**
 * How important each weight of a layer is: an array of the shape of {@code W}, higher = keep.
 * Structured granularities reduce these element scores over a neuron or filter.
 *
 * <ul>
 * <li>{@link #magnitude()}: {@code |w|} (Han et al. 2015);</li>
 * <li>{@link #taylor(DataSet)}: first-order Taylor estimate of the loss change when {@code w} is
 *     set to zero, {@code |w · ∂L/∂w|} (Molchanov et al. 2017, 2019), on one batch;</li>
 * <li>{@link #random(long)}: uniform random scores, the control every criterion must beat.</li>
 * </ul>
 */
@FunctionalInterface
public interface Importance {

    /** Scores of every weight of {@code layer}, same shape as its {@code W}; never modifies the network. */
    INDArray scores(Model net, String layer);

    /** {@code |w|}. */
    static Importance magnitude() {
        return (net, layer) -> Transforms.abs(PrunableLayers.weights(net, layer), true);
    }

    /** {@code |w · ∂L/∂w|} with the gradient of the training loss on {@code batch}. */
    static Importance taylor(DataSet batch) {
        return (net, layer) -> {
            INDArray grad = Networks.gradient(net, batch, PrunableLayers.node(net, layer).name(), "W");
            return Transforms.abs(PrunableLayers.weights(net, layer).mul(grad), false);
        };
    }

    /** Uniform random scores from {@code seed} (the same seed and layer always give the same scores). */
    static Importance random(long seed) {
        return (net, layer) -> {
            INDArray w = PrunableLayers.weights(net, layer);
            java.util.Random random = new java.util.Random(seed * 31 + layer.hashCode());
            float[] values = new float[(int) w.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextFloat();
            }
            return Nd4j.create(values, w.shape(), 'c');
        };
    }
}
