package org.squeeze4j.lower;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
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

    /** The integer model of the prepared and trained {@code net}. */
    public static IntModel toIntModel(MultiLayerNetwork net) {
        QatControl.requirePrepared(net);
        NetworkView view = NetworkView.of(net);
        LayerNode first = view.nodes().get(1);
        if (!first.kind().weighted()) {
            throw new IllegalArgumentException("layer 1 " + first.describe() + " must be a dense layer or a convolution"
                    + " after a FeedForwardToCnnPreProcessor (flat input)");
        }
        long inputLength = first.kind() == LayerKind.DENSE ? first.weight().size(0) : -1;
        if (first.preprocessor() instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor p) {
            inputLength = p.getNumChannels() * p.getInputHeight() * p.getInputWidth();
        }
        if (inputLength <= 0) {
            throw new IllegalArgumentException("layer 1 " + first.describe() + " must be a dense layer or a convolution"
                    + " after a FeedForwardToCnnPreProcessor (flat input)");
        }
        Map<String, long[]> shapes = new HashMap<>();
        Networks.activations(net, Nd4j.zeros(first.weight().dataType(), 1, inputLength)).forEach((k, v) -> shapes.put(k, v.shape()));
        return Lowering.lower(view, new Learned(view), shapes);
    }

    /** The grids QAT learned: the input quantizer, each layer's fake-quant activation or PACT clip, its weight noise. */
    private record Learned(NetworkView view) implements Grids {
        @Override
        public QParams input() {
            return inputQuantizer().qparams();
        }

        private FakeQuantActivation inputQuantizer() {
            return (FakeQuantActivation) ((ActivationLayer) view.nodes().get(0).conf()).getActivationFn();
        }

        @Override
        public boolean isInputQuantizer(LayerNode n) {
            return n.index() == 0;
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
            if (pact(n) != null) {
                if (!(act instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException("layer " + n.describe() + " is followed by PACT but has activation " + act
                            + "; expected identity");
                }
                return act;
            }
            throw new IllegalArgumentException("layer " + n.describe() + " has activation " + act + " without fake quantization:"
                    + " it was not prepared for QAT; use QatPreparation.prepare(net, config)");
        }

        @Override
        public boolean fusesAsRelu(LayerNode activation) {
            return activation.conf() instanceof PactLayer;      // PACT clips at alpha: a ReLU with the top code 2^b - 1
        }

        @Override
        public Grid output(LayerNode producer, LayerNode last) {
            if (last.conf() instanceof PactLayer p) {
                return new Grid(((PactLayerImpl) last.layer()).scale(), 0, p.qmax());
            }
            FakeQuantActivation f = (FakeQuantActivation) ((BaseLayer) producer.conf()).getActivationFn();
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

        private LayerNode pact(LayerNode n) {
            List<LayerNode> readers = view.consumers(n.name());
            return readers.size() == 1 && readers.get(0).conf() instanceof PactLayer ? readers.get(0) : null;
        }
    }
}
