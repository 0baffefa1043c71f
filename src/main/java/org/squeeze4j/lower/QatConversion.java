package org.squeeze4j.lower;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.qat.FakeQuantActivation;
import org.squeeze4j.quant.qat.FakeQuantWeightNoise;
import org.squeeze4j.quant.qat.PactLayer;
import org.squeeze4j.quant.qat.PactLayerImpl;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/**
 * Converts a QAT-trained network into the integer engine's {@link IntModel} (torch.ao's
 * {@code convert}; Jacob et al. 2018, section 3, "export"): the fake-quant nodes disappear and
 * their learned grids become the engine's parameters, with no calibration:
 * <pre>
 *   input   s_in, Z_in   = input quantizer's qparams
 *   weights q_w          = clip(rint(W / s_w), -qmax, qmax)  per output channel, exactly the codes
 *                          FakeQuantWeightNoise used in the last forward pass (same float32 scales)
 *   biases  q_b          = rint(b / (s_in s_w))              (int32)
 *   output  s_out, Z_out = the layer's FakeQuantActivation qparams, or (alpha / (2^b - 1), 0) for PACT
 *           hi           = 2^b - 1, the top code of that b-bit grid (FakeQuantActivation's or PACT's bits)
 * </pre>
 * The engine's codes are uint8 and each layer's requantization clamps at
 * {@code [Z_out or 0, hi]} ({@link org.squeeze4j.engine.WeightedLayer#hi()}), so it clips exactly
 * where the fake-quant network clips at any activation width from 1 to 8 bits; the weight grid may
 * have any width from 2 to 8 bits. What remains between the two is the engine's integer
 * arithmetic: int32 biases at scale {@code s_in s_w} (the network keeps float biases) and
 * gemmlowp's two roundings in the requantization. At 8 bits that is negligible (tests, LeNet-300-100:
 * argmax agreement 100 %, logits within one output step). At 4 activation bits the scales are
 * coarse and it is not: W4A4 after a few QAT steps agrees on 99.85 % of the argmaxes with logits up
 * to 7 output steps apart (mean 0.69), the same as before the clamp existed, because the EMA ranges
 * leave few values above code 15; with PACT's clipping levels the clamp matters (max difference
 * 20 -> 5 steps). The converted parameters themselves are exact: evaluated in real arithmetic with
 * float biases they reproduce the fake-quant logit codes within one step ({@code QatConversionTest}).
 * The engine quantizes the network input onto uint8, so an input quantizer with fewer than 8 bits
 * ({@code QatConfig.inputBits() < 8}) is not clipped at its top code; the default configurations
 * quantize the input at 8 bits.
 *
 * <p>The structure is the one {@link Lowering} every conversion shares; this class only says
 * where QAT's grids are. Rejected, naming the layer: a network that was not prepared for QAT, a
 * weighted layer without {@link FakeQuantWeightNoise}, activations other than (fake-quant) ReLU /
 * identity / softmax on the output, and layer types the engine lacks.
 */
public final class QatConversion {
    private QatConversion() {
    }

    /** The integer model of the prepared and trained {@code net}, a chain or a graph. */
    public static IntModel toIntModel(Model net) {
        QatControl.requirePrepared(net);
        NetworkView view = NetworkView.of(net);
        List<LayerNode> readers = view.consumers(QatPreparation.INPUT_QUANTIZER);
        LayerNode first = readers.isEmpty() ? null : readers.get(0);
        long inputLength = -1;
        if (first != null && first.preprocessor() instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor p) {
            inputLength = p.getNumChannels() * p.getInputHeight() * p.getInputWidth();
        } else if (first != null && first.kind() == LayerKind.DENSE) {
            inputLength = first.weight().size(0);
        }
        if (inputLength <= 0) {
            throw new IllegalArgumentException("the input quantizer must be read by a dense layer or by a convolution after a"
                    + " FeedForwardToCnnPreProcessor (flat input)" + (first == null ? "" : "; it is read by " + first.describe()));
        }
        Map<String, long[]> shapes = new HashMap<>();
        Networks.activations(net, Nd4j.zeros(first.weight().dataType(), 1, inputLength)).forEach((k, v) -> shapes.put(k, v.shape()));
        return Lowering.lower(view, new Learned(view), shapes);
    }

    /**
     * The grids QAT learned: the input quantizer, each layer's fake-quant activation, the ReLU or
     * PACT clip fused into it, the quantizer after global pooling, its weight noise.
     */
    private record Learned(NetworkView view) implements Grids {
        @Override
        public QParams input() {
            return fakeQuant(view.node(QatPreparation.INPUT_QUANTIZER)).qparams();
        }

        @Override
        public boolean isInputQuantizer(LayerNode n) {
            return QatControl.isInputQuantizer(n);
        }

        @Override
        public boolean quantizes(LayerNode n) {
            FakeQuantActivation f = fakeQuant(n);
            return f != null && f.base() instanceof ActivationIdentity && !isInputQuantizer(n);
        }

        /** The fake quantizer of an ActivationLayer node, or null. */
        private static FakeQuantActivation fakeQuant(LayerNode n) {
            return n.conf() instanceof ActivationLayer a && a.getActivationFn() instanceof FakeQuantActivation f ? f : null;
        }

        @Override
        public IActivation activation(LayerNode n) {
            IActivation act = ((BaseLayer) n.conf()).getActivationFn();
            if (act instanceof FakeQuantActivation f) {
                boolean output = n.kind() == LayerKind.OUTPUT;
                if (f.quantizeInput() != output) {
                    throw new IllegalArgumentException("layer " + n.describe() + " uses " + f + "; the integer engine fuses only"
                            + " ReLU or identity (softmax only on the output layer, on quantized logits)");
                }
                return f.base();
            }
            if (pact(n) != null || quantizedRelu(n) != null) {
                if (!(act instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException("layer " + n.describe() + " is followed by a quantized ReLU or PACT but has"
                            + " activation " + act + "; expected identity");
                }
                return act;
            }
            throw new IllegalArgumentException("layer " + n.describe() + " has activation " + act + " without fake quantization:"
                    + " it was not prepared for QAT; use QatPreparation.prepare(net, config)");
        }

        @Override
        public boolean fusesAsRelu(LayerNode activation) {
            FakeQuantActivation f = fakeQuant(activation);       // PACT clips at alpha: a ReLU with the top code 2^b - 1
            return activation.conf() instanceof PactLayer || f != null && f.base() instanceof ActivationReLU;
        }

        @Override
        public Grid output(LayerNode producer, LayerNode last) {
            if (last.conf() instanceof PactLayer p) {
                return new Grid(((PactLayerImpl) last.layer()).scale(), 0, p.qmax());
            }
            if (fakeQuant(last) != null) {                     // a quantized ReLU fused into the layer, or pooling's quantizer
                QParams q = fakeQuant(last).qparams();
                return new Grid(q.scale(), q.zeroPoint(), fakeQuant(last).spec().qmax());
            }
            if (!(producer.conf() instanceof BaseLayer b && b.getActivationFn() instanceof FakeQuantActivation f)) {
                throw new IllegalArgumentException(producer.describe() + " has no fake-quantized output: it was not prepared for"
                        + " QAT; use QatPreparation.prepare(net, config)");
            }
            QParams q = f.qparams();
            return new Grid(q.scale(), q.zeroPoint(), f.spec().qmax());
        }

        @Override
        public WeightCodes weights(LayerNode n) {
            if (!(((BaseLayer) n.conf()).getWeightNoise() instanceof FakeQuantWeightNoise wn)) {
                throw new IllegalArgumentException("layer " + n.describe() + " has no FakeQuantWeightNoise: it was not prepared for"
                        + " QAT; use QatPreparation.prepare(net, config) before training and converting");
            }
            INDArray w = n.weight();
            int axis = n.outputAxis();
            return new WeightCodes(wn.scales(w, axis), wn.codes(w, axis));   // exactly the codes of the last forward pass
        }

        /** The fake-quant ReLU ActivationLayer that is the only reader of {@code n}, or null. */
        private LayerNode quantizedRelu(LayerNode n) {
            List<LayerNode> readers = view.consumers(n.name());
            return readers.size() == 1 && fakeQuant(readers.get(0)) != null && fakeQuant(readers.get(0)).base() instanceof ActivationReLU
                    ? readers.get(0) : null;
        }

        private LayerNode pact(LayerNode n) {
            List<LayerNode> readers = view.consumers(n.name());
            return readers.size() == 1 && readers.get(0).conf() instanceof PactLayer ? readers.get(0) : null;
        }
    }
}
