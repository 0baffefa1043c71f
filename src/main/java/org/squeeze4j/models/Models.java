package org.squeeze4j.models;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.squeeze4j.util.OneDnn;

/**
 * The reference networks of the compression literature, built for 28x28 single-channel images
 * given as flat rows of 784 values in [0, 1] (what {@link org.squeeze4j.data.IdxDataset} yields).
 *
 * <p>Layers are named ({@code fc1}, {@code conv1}, ...) so later steps can address them.
 * Every network is trained with Adam and a learning rate that decays by {@code gamma} per epoch:
 * {@code lr(e) = lr0 * gamma^e}.
 */
public final class Models {
    /** Default learning-rate decay per epoch. */
    public static final double LR_DECAY = 0.8;

    static {
        OneDnn.enable();   // native convolutions for every network built here
    }

    private Models() {
    }

    /**
     * LeNet-300-100 (LeCun et al. 1998; the fully connected net of Han et al. 2015 and Deep Compression):
     * 784-300-100-10 with ReLU, 266,610 parameters.
     */
    public static MultiLayerNetwork lenet300100(long seed, double learningRate) {
        return mlp(seed, learningRate, 300, 100);
    }

    /** A fully connected net 784-h1-...-10 with ReLU, e.g. a small distillation student {@code mlp(seed, 1e-3, 64)}. */
    public static MultiLayerNetwork mlp(long seed, double learningRate, int... hidden) {
        if (hidden.length == 0) {
            throw new IllegalArgumentException("an MLP needs at least one hidden layer size");
        }
        NeuralNetConfiguration.ListBuilder list = base(seed, learningRate).list();
        int in = 28 * 28;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] <= 0) {
                throw new IllegalArgumentException("hidden layer " + (i + 1) + " has size " + hidden[i] + "; sizes must be positive");
            }
            list.layer(new DenseLayer.Builder().name("fc" + (i + 1)).nIn(in).nOut(hidden[i])
                    .activation(Activation.RELU).weightInit(WeightInit.RELU).build());
            in = hidden[i];
        }
        list.layer(output("fc" + (hidden.length + 1), in));
        return init(list.build());
    }

    /**
     * Classic LeNet-5 (LeCun et al. 1998) with modern ReLU and max pooling:
     * conv 5x5x6 (same padding) - pool - conv 5x5x16 - pool - fc 120 - fc 84 - fc 10; 61,706 parameters.
     */
    public static MultiLayerNetwork lenet5(long seed, double learningRate) {
        MultiLayerConfiguration conf = base(seed, learningRate).list()
                .layer(conv("conv1", 6).convolutionMode(ConvolutionMode.Same).build())
                .layer(pool("pool1"))
                .layer(conv("conv2", 16).build())
                .layer(pool("pool2"))
                .layer(dense("fc1", 120))
                .layer(dense("fc2", 84))
                .layer(output("fc3", 84))
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
        return init(conf);
    }

    /**
     * The Caffe variant of LeNet-5 used by Deep Compression (Han et al. 2016, Table 3):
     * conv 5x5x20 - pool - conv 5x5x50 - pool - fc 500 - fc 10; 431,080 parameters.
     */
    public static MultiLayerNetwork lenet5Caffe(long seed, double learningRate) {
        MultiLayerConfiguration conf = base(seed, learningRate).list()
                .layer(conv("conv1", 20).build())
                .layer(pool("pool1"))
                .layer(conv("conv2", 50).build())
                .layer(pool("pool2"))
                .layer(dense("fc1", 500))
                .layer(output("fc2", 500))
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
        return init(conf);
    }

    /**
     * A ResNet-8 for 28x28 grey images (He et al. 2016, the CIFAR variant scaled down): a 3x3 stem,
     * three basic blocks of two 3x3 convolutions with {@code width}, {@code 2 width} and
     * {@code 4 width} channels (the last two halve the resolution; their shortcuts are 1x1
     * projections, the first block's is the identity), global average pooling and a 10-way output.
     * Every convolution is bias-free and followed by batch normalization; ReLU is a separate
     * {@link ActivationLayer} so that batch norm can be folded into the convolution before it.
     * Node names: {@code stem, stem_bn, stem_relu}, then per block {@code bK_conv1, bK_conv1_bn,
     * bK_conv1_relu, bK_conv2, bK_bn2} (+ {@code bK_proj, bK_proj_bn}), {@code bK_add, bK_relu};
     * then {@code pool, fc}.
     */
    public static ComputationGraph resnet8(long seed, double learningRate, int width) {
        ComputationGraphConfiguration.GraphBuilder g = graphWithStem(seed, learningRate, width);
        String x = "stem_relu";
        x = basicBlock(g, "b1", x, width, width, 1);
        x = basicBlock(g, "b2", x, width, 2 * width, 2);
        x = basicBlock(g, "b3", x, 2 * width, 4 * width, 2);
        return init(head(g, x));
    }

    /**
     * A depthwise-separable net in the style of MobileNet (Howard et al. 2017) for 28x28 grey
     * images: a 3x3 stem with {@code width} channels, then four depthwise 3x3 / pointwise 1x1
     * pairs to {@code 2 width} (stride 2), {@code 2 width}, {@code 4 width} (stride 2) and
     * {@code 4 width} channels, each convolution followed by batch norm and ReLU; global average
     * pooling and a 10-way output. Node names {@code stem*}, {@code dwK, dwK_bn, dwK_relu, pwK,
     * pwK_bn, pwK_relu}, {@code pool, fc}. The depthwise / pointwise pairs are where cross-layer
     * equalization (Nagel et al. 2019) matters for per-tensor int8.
     */
    public static ComputationGraph depthwiseNet(long seed, double learningRate, int width) {
        ComputationGraphConfiguration.GraphBuilder g = graphWithStem(seed, learningRate, width);
        String x = "stem_relu";
        int[][] pairs = {{2 * width, 2}, {2 * width, 1}, {4 * width, 2}, {4 * width, 1}};
        for (int k = 0; k < pairs.length; k++) {
            String dw = "dw" + (k + 1);
            g.addLayer(dw, new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).stride(pairs[k][1], pairs[k][1])
                    .convolutionMode(ConvolutionMode.Same).hasBias(false).activation(Activation.IDENTITY)
                    .weightInit(WeightInit.RELU).build(), x);
            x = bnRelu(g, dw, dw);
            x = convBnRelu(g, "pw" + (k + 1), x, pairs[k][0], 1, 1);
        }
        return init(head(g, x));
    }

    /** A graph on flat 28x28x1 input ("input") with the 3x3 {@code stem, stem_bn, stem_relu} of {@code width} channels. */
    private static ComputationGraphConfiguration.GraphBuilder graphWithStem(long seed, double learningRate, int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        ComputationGraphConfiguration.GraphBuilder g = base(seed, learningRate).graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutionalFlat(28, 28, 1));
        convBnRelu(g, "stem", "input", width, 3, 1);
        return g;
    }

    private static String convBnRelu(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int out, int k, int stride) {
        g.addLayer(name, convolution(out, k, stride), in);
        return bnRelu(g, name, name);
    }

    private static String bnRelu(ComputationGraphConfiguration.GraphBuilder g, String name, String in) {
        g.addLayer(name + "_bn", new BatchNormalization.Builder().build(), in);
        g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_bn");
        return name + "_relu";
    }

    private static ConvolutionLayer convolution(int out, int k, int stride) {
        return new ConvolutionLayer.Builder(k, k).nOut(out).stride(stride, stride).convolutionMode(ConvolutionMode.Same)
                .hasBias(false).activation(Activation.IDENTITY).weightInit(WeightInit.RELU).build();
    }

    private static String basicBlock(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int inChannels,
                                     int out, int stride) {
        String h = convBnRelu(g, name + "_conv1", in, out, 3, stride);
        g.addLayer(name + "_conv2", convolution(out, 3, 1), h);
        g.addLayer(name + "_bn2", new BatchNormalization.Builder().build(), name + "_conv2");
        String shortcut = in;
        if (stride != 1 || inChannels != out) {
            g.addLayer(name + "_proj", convolution(out, 1, stride), in);
            g.addLayer(name + "_proj_bn", new BatchNormalization.Builder().build(), name + "_proj");
            shortcut = name + "_proj_bn";
        }
        g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_bn2", shortcut);
        g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_add");
        return name + "_relu";
    }

    private static ComputationGraphConfiguration head(ComputationGraphConfiguration.GraphBuilder g, String in) {
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in);
        g.addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build(),
                "pool");
        return g.setOutputs("fc").build();
    }

    private static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /**
     * Prepares a (pretrained) network for fine-tuning: a fresh schedule
     * {@code lr(e) = learningRate * LR_DECAY^e} counted from now, instead of the tail of the
     * schedule it was trained with.
     */
    public static <M extends Model> M restartLearningRate(M net, double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        ExponentialSchedule schedule = new ExponentialSchedule(ScheduleType.EPOCH, learningRate, LR_DECAY);
        if (net instanceof ComputationGraph g) {
            g.getConfiguration().setEpochCount(0);
            g.getConfiguration().setIterationCount(0);
            g.setLearningRate(schedule);
        } else {
            MultiLayerNetwork m = (MultiLayerNetwork) net;
            m.getLayerWiseConfigurations().setEpochCount(0);
            m.getLayerWiseConfigurations().setIterationCount(0);
            m.setLearningRate(schedule);
        }
        return net;
    }

    private static NeuralNetConfiguration.Builder base(long seed, double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, LR_DECAY)))
                .weightInit(WeightInit.XAVIER);
    }

    private static ConvolutionLayer.Builder conv(String name, int filters) {
        return new ConvolutionLayer.Builder(5, 5).name(name).nOut(filters).stride(1, 1)
                .activation(Activation.RELU).weightInit(WeightInit.RELU);
    }

    private static SubsamplingLayer pool(String name) {
        return new SubsamplingLayer.Builder(PoolingType.MAX).name(name).kernelSize(2, 2).stride(2, 2).build();
    }

    private static DenseLayer dense(String name, int units) {
        return new DenseLayer.Builder().name(name).nOut(units).activation(Activation.RELU).weightInit(WeightInit.RELU).build();
    }

    private static OutputLayer output(String name, int in) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name(name).nIn(in).nOut(10)
                .activation(Activation.SOFTMAX).build();
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
