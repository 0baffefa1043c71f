package org.squeeze4j.distill;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * FitNets hint training (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets"), stage 1: the
 * student's layers up to a <em>guided</em> layer, followed by a learned regressor {@code r}, are
 * trained to reproduce a <em>hint</em> layer of the teacher,
 *
 * <pre>
 *   L_hint = 1/2 * || h_T(x) - r(g_S(x)) ||^2 ,   r(u) = u W_r + b_r
 * </pre>
 *
 * <p>The regressor (a dense identity layer) lets a thin student layer match a wide teacher layer,
 * e.g. 32 student units against the 500 units of the Caffe LeNet-5's {@code fc1}. Afterwards
 * (stage 2) the whole student is trained with {@link DistillationLoss}, starting from the hinted
 * weights; the regressor is discarded. The hint network is a plain DL4J network made of a copy of
 * the student's lower layers plus the regressor with an MSE loss, so DL4J does the backpropagation.
 */
public final class Hints {
    private Hints() {
    }

    /**
     * The teacher's hint: the activations of layer {@code hintLayer} (by name) for {@code features}.
     *
     * @return {@code [n, units]}, flattened if the layer is convolutional
     */
    public static INDArray teacherHints(MultiLayerNetwork teacher, String hintLayer, INDArray features) {
        int idx = index(teacher, hintLayer);
        INDArray a = teacher.feedForwardToLayer(idx, features, false).get(idx + 1);
        return a.rank() == 2 ? a : a.reshape(a.size(0), a.length() / a.size(0));
    }

    /**
     * Trains the student's layers {@code 0..guidedLayer} and a fresh regressor to predict
     * {@code hints} from {@code features} (Adam, shuffled mini-batches, epoch {@code e} ordered by
     * {@code new Random(seed + e)}), then copies the trained layers back into {@code student}.
     *
     * @return the mean hint loss (MSE as DL4J reports it) of each epoch
     */
    public static double[] train(MultiLayerNetwork student, String guidedLayer, INDArray features, INDArray hints,
                                 int epochs, int batchSize, double learningRate, long seed) {
        if (features.rows() != hints.rows()) {
            throw new IllegalArgumentException(features.rows() + " inputs but " + hints.rows() + " hint rows: give one teacher hint per input");
        }
        if (epochs <= 0 || batchSize <= 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException("epochs, batch size and learning rate must be positive");
        }
        int g = index(student, guidedLayer);
        if (g == student.getnLayers() - 1) {
            throw new IllegalArgumentException("the guided layer must be a hidden layer, not the output layer " + guidedLayer);
        }
        MultiLayerConfiguration sc = student.getLayerWiseConfigurations();
        Layer guided = sc.getConf(g).getLayer();
        if (!(guided instanceof FeedForwardLayer ff)) {
            throw new IllegalArgumentException("guided layer " + guidedLayer + " is a " + guided.getClass().getSimpleName()
                    + "; hints are supported on dense layers");
        }
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(learningRate)).weightInit(WeightInit.XAVIER).list();
        for (int i = 0; i <= g; i++) {
            list.layer(sc.getConf(i).getLayer().clone());
            if (sc.getInputPreProcess(i) != null) {
                list.inputPreProcessor(i, sc.getInputPreProcess(i).clone());
            }
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("regressor").nIn(ff.getNOut())
                .nOut(hints.columns()).activation(Activation.IDENTITY).build());
        MultiLayerNetwork hintNet = new MultiLayerNetwork(list.build());
        hintNet.init();
        for (int i = 0; i <= g; i++) {
            hintNet.getLayer(i).setParams(student.getLayer(i).params().dup());
        }
        int n = (int) features.rows();
        double[] losses = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            int[] order = TransferSet.permutation(n, new Random(seed + e));
            double sum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += batchSize) {
                int[] rows = java.util.Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
                hintNet.fit(new DataSet(Nd4j.pullRows(features, 1, rows), Nd4j.pullRows(hints, 1, rows)));
                sum += hintNet.score();
                batches++;
            }
            losses[e] = sum / batches;
        }
        for (int i = 0; i <= g; i++) {
            student.getLayer(i).setParams(hintNet.getLayer(i).params().dup());
        }
        return losses;
    }

    static int index(MultiLayerNetwork net, String name) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            String n = net.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName();
            if (name.equals(n)) {
                return i;
            }
            names.add(n);
        }
        throw new IllegalArgumentException("no layer named '" + name + "'; the network's layers are " + names);
    }
}
