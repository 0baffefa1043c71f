package org.squeeze4j.models;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One node of a {@link NetworkView}: a layer of a {@code MultiLayerNetwork}, or a layer or vertex
 * of a {@code ComputationGraph}.
 *
 * <p>Parameter accessors return DL4J's live views: writing to them changes the network (masks,
 * folding and surgery rely on that). They are read from the layer at each call, so they stay
 * valid when the network's parameters are replaced with {@code setParams}.
 *
 * @param index    position in {@link NetworkView#nodes()} (topological order); for a
 *                 {@code MultiLayerNetwork} also the DL4J layer index
 * @param name     the layer or vertex name; unique within the network
 * @param kind     what it computes
 * @param inputs   names of the nodes it reads; {@link NetworkView#INPUT}-style network input
 *                 names for the first layers
 * @param layer    DL4J's runtime layer, or null for a vertex without parameters (add, merge)
 * @param conf     DL4J's layer configuration, or null for a vertex
 * @param preprocessor the reshape DL4J applies to its input first (flatten, unflatten), or null
 */
public record LayerNode(int index, String name, LayerKind kind, List<String> inputs, Layer layer,
                        org.deeplearning4j.nn.conf.layers.Layer conf, InputPreProcessor preprocessor) {

    public LayerNode {
        inputs = List.copyOf(inputs);
    }

    /** The weight {@code W} (a live view); for a separable convolution its depthwise part. */
    public INDArray weight() {
        requireWeighted();
        return layer.getParam("W");
    }

    /** The pointwise weight {@code pW [nOut, multiplier nIn, 1, 1]} of a separable convolution. */
    public INDArray pointwiseWeight() {
        if (kind != LayerKind.SEPARABLE) {
            throw new IllegalStateException(describe() + " is not a separable convolution; it has no pointwise weight");
        }
        return layer.getParam("pW");
    }

    /** The bias {@code b} (a live view), or null when the layer has none. */
    public INDArray bias() {
        requireWeighted();
        return layer.paramTable().get("b");
    }

    /** The per-channel parameters of a batch normalization node, in float64 (copies). */
    public BatchNormParams batchNorm() {
        if (kind != LayerKind.BATCH_NORM) {
            throw new IllegalStateException(describe() + " is " + kind + ", not a batch normalization");
        }
        BatchNormalization bn = (BatchNormalization) conf;
        Map<String, INDArray> p = layer.paramTable();
        INDArray mean = p.get("mean").castTo(DataType.DOUBLE).ravel();
        INDArray variance = bn.isUseLogStd()
                ? Transforms.pow(Nd4j.valueArrayOf(mean.shape(), 10.0, DataType.DOUBLE),
                        p.get("log10stdev").castTo(DataType.DOUBLE).ravel().mul(2), false)
                : p.get("var").castTo(DataType.DOUBLE).ravel();
        long c = mean.length();
        INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {c}, bn.getGamma(), DataType.DOUBLE)
                : p.get("gamma").castTo(DataType.DOUBLE).ravel();
        INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {c}, bn.getBeta(), DataType.DOUBLE)
                : p.get("beta").castTo(DataType.DOUBLE).ravel();
        return new BatchNormParams(mean.dup(), variance, gamma.dup(), beta.dup(), bn.getEps());
    }

    /**
     * The axis of {@link #weight()} that indexes output channels: 1 for dense, output and
     * transposed convolution, 0 for convolution, 2 for a depthwise convolution with multiplier 1.
     * A separable convolution's output channels live in its pointwise weight (axis 0 of
     * {@link #pointwiseWeight()}); a depthwise convolution with a multiplier above 1 spreads them
     * over two axes. Both are refused here, with the reason.
     */
    public int outputAxis() {
        return switch (kind) {
            case DENSE, OUTPUT, DECONV -> 1;
            case CONV -> 0;
            case DEPTHWISE -> {
                long m = ((DepthwiseConvolution2D) conf).getDepthMultiplier();
                if (m != 1) {
                    throw new UnsupportedOperationException(describe() + " has depth multiplier " + m
                            + ": its output channels span weight axes 2 and 3; only multiplier 1 has one output axis");
                }
                yield 2;
            }
            case SEPARABLE -> throw new UnsupportedOperationException(describe() + " is separable: its output channels"
                    + " are axis 0 of pointwiseWeight(), its depthwise weight has none");
            default -> throw new IllegalStateException(describe() + " has no weight");
        };
    }

    /**
     * The output-channel axis of the weight of a layer configuration on its own (for DL4J hooks
     * that see a layer but not its network, such as weight noise); see {@link #outputAxis()}.
     */
    public static int outputAxisOf(org.deeplearning4j.nn.conf.layers.Layer conf) {
        String name = conf.getLayerName() == null ? "?" : conf.getLayerName();
        LayerKind kind = NetworkView.kindOf(conf, "layer '" + name + "'");
        return new LayerNode(-1, name, kind, List.of(), null, conf, null).outputAxis();
    }

    /** Number of output channels (features of a dense layer). */
    public long outputChannels() {
        requireWeighted();
        return switch (kind) {
            case SEPARABLE -> pointwiseWeight().size(0);
            case DEPTHWISE -> weight().size(2) * weight().size(3);
            default -> weight().size(outputAxis());
        };
    }

    /** "fc1 (DenseLayer)" or "add1 (ElementWiseVertex)" for messages. */
    public String describe() {
        return "'" + name + "' (" + dl4jType() + ")";
    }

    /** DL4J's class name for this node: the layer configuration's, or the vertex's. */
    public String dl4jType() {
        return conf != null ? conf.getClass().getSimpleName() : kind == LayerKind.ADD ? "ElementWiseVertex(Add)" : "MergeVertex";
    }

    private void requireWeighted() {
        if (!kind.weighted()) {
            throw new IllegalStateException(describe() + " is " + kind + ": it has no weight");
        }
    }
}
