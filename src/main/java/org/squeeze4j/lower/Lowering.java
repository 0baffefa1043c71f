package org.squeeze4j.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.engine.IntAdd;
import org.squeeze4j.engine.IntConv2d;
import org.squeeze4j.engine.IntDense;
import org.squeeze4j.engine.IntDepthwiseConv2d;
import org.squeeze4j.engine.IntGlobalAvgPool;
import org.squeeze4j.engine.IntLayer;
import org.squeeze4j.engine.IntMaxPool2d;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.quant.QParams;

/**
 * The one lowering from DL4J to the integer engine, for post-training and quantization-aware
 * networks alike: it walks the {@link NetworkView} in topological order and emits one engine layer
 * per node, taking every number (input, output and weight grids) from a {@link Grids}.
 * <ul>
 *   <li>dense, output, convolution (NCHW, dilation 1, truncate or same mode) and depthwise
 *       convolution (multiplier 1) become {@link IntDense}, {@link IntConv2d} and
 *       {@link IntDepthwiseConv2d} with int32 biases {@code rint(b / (s_in s_w[o]))}; a ReLU
 *       {@code ActivationLayer} (or PACT) that is the layer's only reader is fused as a clamp;</li>
 *   <li>an add of two tensors becomes {@link IntAdd}, requantized to its own grid, with the ReLU
 *       after it fused the same way;</li>
 *   <li>unpadded max pooling runs on the codes ({@link IntMaxPool2d}); global average pooling is
 *       requantized to its own grid ({@link IntGlobalAvgPool});</li>
 *   <li>DL4J's flatten and unflatten preprocessors are reshapes of C-order codes: free; dropout is
 *       the identity.</li>
 * </ul>
 * Batch norm must have been folded ({@code BatchNormFolding}); anything else (a merge, a separable
 * or transposed convolution, average pooling with a window, an activation the engine cannot
 * clamp) is refused with the node's name and type before any layer is built.
 */
final class Lowering {
    /** A tensor of the engine: its index (0 the input, k + 1 the output of layer k), shape and grid. */
    private record Tensor(int index, int[] chw, long length, double scale, int zeroPoint) {
        Tensor reshaped(int[] shape) {
            return new Tensor(index, shape, length, scale, zeroPoint);
        }
    }

    private final NetworkView view;
    private final Grids grids;
    private final Map<String, long[]> shapes;
    private final Map<String, Tensor> tensors = new HashMap<>();
    private final Set<String> fused = new HashSet<>();
    private final List<IntLayer> layers = new ArrayList<>();
    private final List<int[]> inputs = new ArrayList<>();
    /** The per-sample input shape: the network input's, or {@code [c, h, w]} when a layer unflattens it. */
    private int[] modelShape;

    private Lowering(NetworkView view, Grids grids, Map<String, long[]> shapes) {
        this.view = view;
        this.grids = grids;
        this.shapes = shapes;
    }

    /**
     * The integer model of {@code view}'s network.
     *
     * @param shapes the output shape of every node and of the network input, from one forward pass
     */
    static IntModel lower(NetworkView view, Grids grids, Map<String, long[]> shapes) {
        return new Lowering(view, grids, shapes).run();
    }

    private IntModel run() {
        if (view.inputs().size() != 1 || view.outputs().size() != 1) {
            throw new IllegalArgumentException("the integer engine runs networks with one input and one output, this one has inputs "
                    + view.inputs() + " and outputs " + view.outputs());
        }
        refuseUnsupported();
        String inputName = view.inputs().get(0);
        long[] inShape = shapes.get(inputName);
        QParams inQ = grids.input();
        int[] chw = inShape.length == 4 ? new int[] {(int) inShape[1], (int) inShape[2], (int) inShape[3]} : null;
        tensors.put(inputName, new Tensor(0, chw, length(inShape), inQ.scale(), inQ.zeroPoint()));
        modelShape = chw;
        for (LayerNode n : view.nodes()) {
            if (!fused.contains(n.name())) {
                lowerNode(n);
            }
        }
        String out = view.outputs().get(0);
        Tensor last = tensors.get(out);
        if (last == null || last.index() != layers.size()) {
            throw new IllegalArgumentException("the network output '" + out + "' is not the last layer the engine computes");
        }
        int[] shape = modelShape != null ? modelShape : new int[] {(int) length(inShape)};
        return new IntModel(shape, inQ.scale(), inQ.zeroPoint(), layers, inputs);
    }

    /** Every node the engine cannot run, refused up front, so that nothing is half-converted. */
    private void refuseUnsupported() {
        for (LayerNode n : view.nodes()) {
            String why = switch (n.kind()) {
                case BATCH_NORM -> "is not folded; fold batch norm first with BatchNormFolding.fold(net)";
                case MERGE -> "concatenates tensors, which the integer engine does not run";
                case SEPARABLE -> "is a separable convolution; build it as a depthwise and a 1x1 convolution";
                case DECONV -> "is a transposed convolution, which the integer engine does not run";
                default -> null;
            };
            if (why != null) {
                throw new IllegalArgumentException("layer " + n.describe() + " " + why);
            }
            if (n.preprocessor() != null && !(n.preprocessor() instanceof FeedForwardToCnnPreProcessor)
                    && !(n.preprocessor() instanceof CnnToFeedForwardPreProcessor)) {
                throw new IllegalArgumentException("layer " + n.describe() + " has preprocessor "
                        + n.preprocessor().getClass().getSimpleName()
                        + "; the integer engine supports only the flatten/unflatten reshapes between dense and conv layers");
            }
        }
    }

    private void lowerNode(LayerNode n) {
        switch (n.kind()) {
            case DROPOUT -> alias(n, input(n, 0));
            case ACTIVATION -> {
                if (!grids.isInputQuantizer(n)) {
                    throw new IllegalArgumentException("activation " + n.describe() + " cannot be fused: the integer engine runs"
                            + " ReLU as the clamp of the dense, convolution or add layer right before it, and that layer"
                            + " must have no other reader");
                }
                alias(n, input(n, 0));
            }
            case POOL -> maxPool(n);
            case GLOBAL_POOL -> globalAvgPool(n);
            case ADD -> add(n);
            case DENSE, OUTPUT, CONV, DEPTHWISE -> weighted(n);
            default -> throw new IllegalArgumentException("layer " + n.describe() + " is not supported by the integer engine");
        }
    }

    private void weighted(LayerNode n) {
        Tensor in = input(n, 0);
        boolean output = n.kind() == LayerKind.OUTPUT;
        if (output && !view.outputs().contains(n.name())) {
            throw new IllegalArgumentException("layer " + n.describe() + " is an output layer but not the network's output");
        }
        boolean relu = activation(n, output);
        LayerNode last = n;
        if (!relu && !output) {
            LayerNode act = fusableRelu(n);
            if (act != null) {
                relu = true;
                last = act;
            }
        }
        Grids.Grid g = grids.output(n, last);
        Grids.WeightCodes w = grids.weights(n);
        int[] bias = biasCodes(n.bias(), w.scales().length, in.scale(), w.scales(), n);
        IntLayer layer;
        int[] chw = null;
        if (n.kind() == LayerKind.DENSE || n.kind() == LayerKind.OUTPUT) {
            if (in.length() != n.weight().size(0)) {
                throw new IllegalArgumentException("layer " + n.describe() + " takes " + n.weight().size(0) + " inputs but reads "
                        + in.length() + " values");
            }
            layer = new IntDense((int) in.length(), w.scales().length, w.codes(), bias, in.scale(), in.zeroPoint(), w.scales(),
                    g.scale(), g.zeroPoint(), relu, g.hi());
        } else {
            if (in.chw() == null) {
                throw new IllegalArgumentException("layer " + n.describe() + " is a convolution but reads a flat tensor");
            }
            ConvolutionLayer c = (ConvolutionLayer) n.conf();
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                throw new IllegalArgumentException("layer " + n.describe() + " uses " + c.getCnn2dDataFormat() + "; only NCHW is supported");
            }
            if (c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
                throw new IllegalArgumentException("layer " + n.describe() + " has dilation " + Arrays.toString(c.getDilation())
                        + "; only 1 is supported");
            }
            long[] out = shapes.get(n.name());
            int outC = (int) out[1];
            int outH = (int) out[2];
            int outW = (int) out[3];
            int[] k = c.getKernelSize();
            int[] st = c.getStride();
            int[] pad = padding(c.getConvolutionMode(), c.getPadding(), k, st, in.chw(), outH, outW);
            if (n.kind() == LayerKind.CONV) {
                layer = new IntConv2d(in.chw()[0], in.chw()[1], in.chw()[2], outC, k[0], k[1], st[0], st[1], pad[0], pad[1], outH,
                        outW, w.codes(), bias, in.scale(), in.zeroPoint(), w.scales(), g.scale(), g.zeroPoint(), relu, g.hi());
            } else {
                n.outputAxis();     // refuses a depth multiplier other than 1, naming the layer
                if (outC != in.chw()[0]) {
                    throw new IllegalArgumentException("layer " + n.describe() + " maps " + in.chw()[0] + " to " + outC + " channels");
                }
                layer = new IntDepthwiseConv2d(outC, in.chw()[1], in.chw()[2], k[0], k[1], st[0], st[1], pad[0], pad[1], outH,
                        outW, w.codes(), bias, in.scale(), in.zeroPoint(), w.scales(), g.scale(), g.zeroPoint(), relu, g.hi());
            }
            chw = new int[] {outC, outH, outW};
        }
        emit(layer, new int[] {in.index()}, chw, g, n, last);
    }

    private void add(LayerNode n) {
        if (n.inputs().size() != 2) {
            throw new IllegalArgumentException("add " + n.describe() + " sums " + n.inputs().size() + " tensors; the integer engine"
                    + " adds two at a time");
        }
        Tensor a = input(n, 0);
        Tensor b = input(n, 1);
        if (a.length() != b.length()) {
            throw new IllegalArgumentException("add " + n.describe() + " sums tensors of " + a.length() + " and " + b.length() + " values");
        }
        LayerNode act = fusableRelu(n);
        LayerNode last = act == null ? n : act;
        Grids.Grid g = grids.output(n, last);
        IntAdd layer = new IntAdd((int) a.length(), a.scale(), a.zeroPoint(), b.scale(), b.zeroPoint(), g.scale(), g.zeroPoint(),
                act != null);
        emit(layer, new int[] {a.index(), b.index()}, a.chw(), g, n, last);
    }

    private void maxPool(LayerNode n) {
        Tensor in = input(n, 0);
        SubsamplingLayer p = (SubsamplingLayer) n.conf();
        if (in.chw() == null) {
            throw new IllegalArgumentException("pooling " + n.describe() + " needs [c, h, w] input");
        }
        if (p.getPoolingType() != PoolingType.MAX) {
            throw new IllegalArgumentException("layer " + n.describe() + " is " + p.getPoolingType() + " pooling; only MAX pooling"
                    + " commutes with requantization and is supported");
        }
        if (p.getPadding()[0] != 0 || p.getPadding()[1] != 0 || p.getConvolutionMode() == ConvolutionMode.Same) {
            throw new IllegalArgumentException("layer " + n.describe() + " pads its input; only unpadded (truncate) max pooling is supported");
        }
        IntMaxPool2d pool = new IntMaxPool2d(in.chw()[0], in.chw()[1], in.chw()[2], p.getKernelSize()[0], p.getKernelSize()[1],
                p.getStride()[0], p.getStride()[1]);
        long[] out = shapes.get(n.name());
        if (out[2] != pool.outHeight() || out[3] != pool.outWidth()) {
            throw new IllegalStateException("layer " + n.describe() + ": DL4J pools to " + Arrays.toString(out) + " but the engine to "
                    + pool.outHeight() + "x" + pool.outWidth());
        }
        layers.add(pool);
        inputs.add(new int[] {in.index()});
        tensors.put(n.name(), new Tensor(layers.size(), new int[] {in.chw()[0], pool.outHeight(), pool.outWidth()},
                pool.outputLength(), in.scale(), in.zeroPoint()));
    }

    private void globalAvgPool(LayerNode n) {
        Tensor in = input(n, 0);
        GlobalPoolingLayer p = (GlobalPoolingLayer) n.conf();
        if (p.getPoolingType() != PoolingType.AVG) {
            throw new IllegalArgumentException("layer " + n.describe() + " is global " + p.getPoolingType() + " pooling; the"
                    + " integer engine runs global AVG pooling");
        }
        if (in.chw() == null) {
            throw new IllegalArgumentException("global pooling " + n.describe() + " needs [c, h, w] input");
        }
        List<LayerNode> readers = view.consumers(n.name());
        LayerNode last = readers.size() == 1 && readers.get(0).kind() == LayerKind.ACTIVATION && grids.quantizes(readers.get(0))
                ? readers.get(0) : n;
        Grids.Grid g = grids.output(n, last);
        IntGlobalAvgPool pool = new IntGlobalAvgPool(in.chw()[0], in.chw()[1], in.chw()[2], in.scale(), in.zeroPoint(), g.scale(),
                g.zeroPoint());
        emit(pool, new int[] {in.index()}, null, g, n, last);
    }

    private void emit(IntLayer layer, int[] reads, int[] chw, Grids.Grid g, LayerNode producer, LayerNode last) {
        layers.add(layer);
        inputs.add(reads);
        Tensor t = new Tensor(layers.size(), chw, layer.outputLength(), g.scale(), g.zeroPoint());
        tensors.put(producer.name(), t);
        tensors.put(last.name(), t);
        fused.add(last.name());
    }

    private void alias(LayerNode n, Tensor t) {
        tensors.put(n.name(), t);
    }

    /** Input {@code j} of {@code n}, after the node's reshape preprocessor. */
    private Tensor input(LayerNode n, int j) {
        String name = n.inputs().get(j);
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("layer " + n.describe() + " reads '" + name + "', which was not lowered before it");
        }
        InputPreProcessor pre = n.preprocessor();
        if (pre instanceof FeedForwardToCnnPreProcessor p) {
            int[] chw = {(int) p.getNumChannels(), (int) p.getInputHeight(), (int) p.getInputWidth()};
            if (t.index() == 0 && modelShape == null) {
                modelShape = chw;
            }
            return t.reshaped(chw);
        }
        if (pre instanceof CnnToFeedForwardPreProcessor) {
            return t.reshaped(null);
        }
        return t;
    }

    /** The ReLU activation node that {@code n} can absorb as a clamp (its only reader), or null. */
    private LayerNode fusableRelu(LayerNode n) {
        List<LayerNode> readers = view.consumers(n.name());
        if (readers.size() == 1 && readers.get(0).kind() == LayerKind.ACTIVATION && readers.get(0).preprocessor() == null
                && grids.fusesAsRelu(readers.get(0)) && !view.outputs().contains(n.name())) {
            return readers.get(0);
        }
        return null;
    }

    /** True when the layer's own activation is a ReLU (fused), false for identity (or softmax on the output: logits). */
    private boolean activation(LayerNode n, boolean output) {
        IActivation a = grids.activation(n);
        if (a instanceof ActivationReLU) {
            return true;
        }
        if (a instanceof ActivationIdentity || output && a instanceof ActivationSoftmax) {
            return false;
        }
        throw new IllegalArgumentException("layer " + n.describe() + " uses activation " + a + "; the integer engine fuses only"
                + " ReLU (clamp) or identity" + (output ? ", and drops softmax on the output (it returns logits)" : ""));
    }

    /** {@code {padTop, padLeft}}: DL4J's explicit padding, or same mode's {@code ((out - 1) s + k - in) / 2}. */
    static int[] padding(ConvolutionMode mode, int[] explicit, int[] k, int[] stride, int[] chw, int outH, int outW) {
        if (mode == ConvolutionMode.Same) {
            return new int[] {Math.max(0, (outH - 1) * stride[0] + k[0] - chw[1]) / 2, Math.max(0, (outW - 1) * stride[1] + k[1] - chw[2]) / 2};
        }
        return new int[] {explicit[0], explicit[1]};
    }

    /** int32 {@code rint(b / (s_in s_w[o]))}; a bias that does not fit is refused (its channel's weights are tiny). */
    static int[] biasCodes(INDArray b, int nOut, double inScale, double[] ws, LayerNode n) {
        int[] out = new int[nOut];
        if (b == null) {
            return out;
        }
        double[] v = b.castTo(DataType.DOUBLE).ravel().toDoubleVector();
        for (int o = 0; o < nOut; o++) {
            double q = Math.rint(v[o] / (inScale * ws[o]));
            if (!(Math.abs(q) <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("layer " + n.describe() + ": bias " + o + " = " + v[o] + " is " + q
                        + " steps of s_in*s_w, outside int32; the weights of this channel are tiny compared to its bias");
            }
            out[o] = (int) q;
        }
        return out;
    }

    private static long length(long[] shape) {
        long n = 1;
        for (int d = 1; d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }
}
