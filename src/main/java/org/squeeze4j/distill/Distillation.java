package org.squeeze4j.distill;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * Turns a network into a distillation student and checks teacher / student pairs.
 *
 * <pre>{@code
 * TransferSet transfer = TransferSet.of(mnist.train(), TeacherLogits.load("lenet-5-caffe", "train")).subset(3000, 1);
 * MultiLayerNetwork student = Distillation.student(Models.mlp(seed, 1e-3, 64), new DistillationLoss(4, 0.9));
 * Trainer.builder().epochs(30).build().fit(student, transfer.iterator(64, seed), null);
 * }</pre>
 */
public final class Distillation {
    private Distillation() {
    }

    /**
     * A copy of {@code template} (same configuration, same current parameters, fresh updater state)
     * whose output layer emits logits (identity activation) and is trained with {@code loss}.
     * Output-layer validation is switched off, as DL4J's {@code evaluate} otherwise refuses a
     * non-softmax classifier; accuracy is unchanged because argmax(z) = argmax(softmax(z)).
     */
    public static MultiLayerNetwork student(MultiLayerNetwork template, DistillationLoss loss) {
        MultiLayerConfiguration conf = template.getLayerWiseConfigurations().clone();
        int last = conf.getConfs().size() - 1;
        Layer out = conf.getConf(last).getLayer();
        if (!(out instanceof BaseOutputLayer o)) {
            throw new IllegalArgumentException("the student's last layer is a " + out.getClass().getSimpleName()
                    + "; distillation needs an OutputLayer that can emit logits");
        }
        o.setActivationFn(new ActivationIdentity());
        o.setLossFn(loss);
        conf.setValidateOutputLayerConfig(false);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(template.params().dup(), false);
        return net;
    }

    /**
     * Checks that {@code teacher} and {@code student} predict the same number of classes.
     *
     * @throws IllegalArgumentException naming both sizes if they differ
     */
    public static void checkCompatible(MultiLayerNetwork teacher, MultiLayerNetwork student) {
        long t = outputs(teacher);
        long s = outputs(student);
        if (t != s) {
            throw new IllegalArgumentException("the teacher has " + t + " outputs but the student has " + s
                    + ": distillation matches the two distributions class by class, so both need the same classes");
        }
    }

    /** Number of outputs (classes) of a network's output layer. */
    public static long outputs(MultiLayerNetwork net) {
        return net.getOutputLayer().getParam("b").length();
    }
}
