package org.squeeze4j.lower;

import org.nd4j.linalg.activations.IActivation;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.quant.QParams;

/**
 * Where the numbers of a lowering come from; {@link Lowering} decides the structure. Post-training
 * quantization observes them on calibration data ({@link IntModelBuilder}); quantization-aware
 * training reads the grids its fake-quant nodes learned ({@link QatConversion}).
 */
interface Grids {
    /** The grid of a tensor: uint8 codes {@code 0..hi} on scale {@code scale} (a float32 value) and zero point. */
    record Grid(double scale, int zeroPoint, int hi) {
    }

    /** Per-output-channel weight scales (float32 values) and int8 codes, channel-major {@code [channel][rest]}. */
    record WeightCodes(double[] scales, byte[] codes) {
    }

    /** The grid of the network input. */
    QParams input();

    /** Whether {@code n}, which reads the network input, only quantizes it (QAT's input quantizer); it then adds no layer. */
    boolean isInputQuantizer(LayerNode n);

    /** The activation a weighted layer applies, any fake quantizer around it removed. */
    IActivation activation(LayerNode weighted);

    /**
     * Whether an activation node only puts its input on a grid (QAT's quantizer after global
     * pooling): the layer before it then takes that grid as its own.
     */
    default boolean quantizes(LayerNode activation) {
        return false;
    }

    /** Whether an activation node right after a linear layer or an add is a ReLU that the engine runs as a clamp. */
    boolean fusesAsRelu(LayerNode activation);

    /**
     * The grid of the tensor that {@code producer} computes, {@code last} being the node whose
     * output it is ({@code producer} itself, or the activation fused into it); for the output layer
     * the logits, before any softmax.
     */
    Grid output(LayerNode producer, LayerNode last);

    /** The quantized weights of {@code weighted}. */
    WeightCodes weights(LayerNode weighted);
}
