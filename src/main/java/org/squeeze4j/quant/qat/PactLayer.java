package org.squeeze4j.quant.qat;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.squeeze4j.models.LayerKind;

/**
 * PACT, a ReLU with a learnable clipping level {@code alpha}, fake-quantized on {@code b} bits
 * (Choi et al. 2018, "PACT: Parameterized Clipping Activation for Quantized Neural Networks"):
 * <pre>
 *   y   = clip(x, 0, alpha)                      (eq. 1)
 *   y_q = s rint(y / s),   s = alpha / (2^b - 1)  (eq. 2; s rounded to float32)
 *   dy_q/dx     = 1 if 0 &lt; x &lt; alpha, else 0   (STE through the rounding)
 *   dy_q/dalpha = 1 if x &gt;= alpha, else 0       (eq. 3)
 * </pre>
 * The gradient of {@code alpha} sums over the batch and all units; a small {@code alpha} clips
 * more but has a finer grid, a large one the opposite, and training finds the balance. The grid
 * is the engine's unsigned activation grid with zero point 0 ({@code codes 0 .. 2^b - 1}).
 * Place it after a dense or convolution layer with identity activation
 * ({@link QatPreparation} does that when asked for PACT).
 *
 * <p>A parameterised layer rather than an {@code IActivation}: DL4J activations cannot own
 * trainable parameters, layers can (as DL4J's own {@code PReLULayer}). With fake quantization off
 * it is exactly {@code clip(x, 0, alpha)}, whose gradients {@code GradientCheckUtil} can check;
 * with it on, the STE gradients are by definition not the derivative of the step function.
 */
public class PactLayer extends BaseLayer implements LayerKind.Declared {
    /** Name of the clipping-level parameter. */
    public static final String ALPHA = "alpha";

    @JsonProperty private int bits = 4;
    @JsonProperty private double alphaInit = 6.0;

    /** PACT clips and quantizes element-wise: an activation to the network view. */
    @Override
    public LayerKind kind() {
        return LayerKind.ACTIVATION;
    }
    @JsonProperty private boolean fakeQuant = true;

    /** For JSON. */
    public PactLayer() {
    }

    /**
     * @param name layer name
     * @param bits 1..8
     * @param alphaInit initial clipping level, e.g. a high percentile of the layer's pre-activations
     */
    public PactLayer(String name, int bits, double alphaInit) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("PACT bits must be 1..8, got " + bits);
        }
        if (!(alphaInit > 0) || !Double.isFinite(alphaInit)) {
            throw new IllegalArgumentException("PACT alpha must start positive and finite, got " + alphaInit);
        }
        this.layerName = name;
        this.bits = bits;
        this.alphaInit = alphaInit;
    }

    public int bits() {
        return bits;
    }

    public double alphaInit() {
        return alphaInit;
    }

    public boolean isFakeQuantEnabled() {
        return fakeQuant;
    }

    /** Switches the rounding on or off (clipping to [0, alpha] always stays). */
    public void setFakeQuant(boolean on) {
        this.fakeQuant = on;
    }

    /** Largest code {@code 2^b - 1}. */
    public int qmax() {
        return (1 << bits) - 1;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                        int layerIndex, INDArray paramsView, boolean initializeParams,
                                                        DataType dataType) {
        PactLayerImpl layer = new PactLayerImpl(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("PACT layer " + layerName + ": no input type");
        }
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // element-wise: no size
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public ParamInitializer initializer() {
        return PactParamInitializer.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return new LayerMemoryReport.Builder(layerName, PactLayer.class, inputType, inputType)
                .standardMemory(1, 2).workingMemory(0, 0, 0, 0)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    @Override
    public PactLayer clone() {
        return (PactLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PactLayer p && super.equals(o) && bits == p.bits && alphaInit == p.alphaInit && fakeQuant == p.fakeQuant;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), bits, alphaInit, fakeQuant);
    }

    @Override
    public String toString() {
        return "PactLayer(" + layerName + ", uint" + bits + ", alphaInit " + alphaInit + (fakeQuant ? "" : ", no rounding") + ")";
    }
}
