package org.squeeze4j.quant.qat;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks for the QAT tests. */
final class SmallNets {
    private SmallNets() {
    }

    /** 6-5-4-3 ReLU MLP with softmax output. */
    static MultiLayerNetwork mlp(DataType dt, IUpdater updater, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dt).updater(updater)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().name("h1").nIn(6).nOut(5).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("h2").nIn(5).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork mlp(DataType dt) {
        return mlp(dt, new NoOp(), 12345);
    }

    /** conv(identity) -> BN -> ReLU -> maxpool -> dense -> output on 1x8x8 flat inputs. */
    static MultiLayerNetwork convBn(DataType dt, IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(dt).updater(updater)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().name("relu").activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool").kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray features(long n, long d, long seed, DataType dt) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dt, n, d);
    }

    static INDArray labels(long n, int classes, long seed, DataType dt) {
        java.util.Random r = new java.util.Random(seed);
        INDArray y = Nd4j.zeros(dt, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }
}
