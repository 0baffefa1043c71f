package org.squeeze4j.models;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
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
     * Prepares a (pretrained) network for fine-tuning: a fresh schedule
     * {@code lr(e) = learningRate * LR_DECAY^e} counted from now, instead of the tail of the
     * schedule it was trained with.
     */
    public static MultiLayerNetwork restartLearningRate(MultiLayerNetwork net, double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        net.getLayerWiseConfigurations().setEpochCount(0);
        net.getLayerWiseConfigurations().setIterationCount(0);
        net.setLearningRate(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, LR_DECAY));
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
