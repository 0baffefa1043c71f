package org.squeeze4j.distill;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

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
     * Works for a {@code MultiLayerNetwork} and for a {@code ComputationGraph} with one output layer.
     */
    @SuppressWarnings("unchecked")
    public static <M extends Model> M student(M template, DistillationLoss loss) {
        LayerNode out = outputNode(template, "student");
        if (template instanceof MultiLayerNetwork mln) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations().clone();
            toLogits(conf.getConf(out.index()).getLayer(), loss);
            conf.setValidateOutputLayerConfig(false);
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init(mln.params().dup(), false);
            return (M) net;
        }
        ComputationGraph graph = (ComputationGraph) template;
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        toLogits(((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(out.name())).getLayerConf().getLayer(), loss);
        conf.setValidateOutputLayerConfig(false);
        ComputationGraph net = new ComputationGraph(conf);
        net.init(graph.params().dup(), false);
        return (M) net;
    }

    /**
     * The inverse of {@link #student} once training is done: a copy whose output layer applies the
     * softmax again, with the ordinary cross-entropy loss, so it loads and runs in plain DL4J (and
     * every technique that expects a classifier accepts it). Outputs are {@code softmax(z)} of the
     * student's logits {@code z}; the argmax, hence the accuracy, is the same.
     */
    @SuppressWarnings("unchecked")
    public static <M extends Model> M classifier(M student) {
        LayerNode out = outputNode(student, "student");
        if (student instanceof MultiLayerNetwork mln) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations().clone();
            toSoftmax(conf.getConf(out.index()).getLayer());
            conf.setValidateOutputLayerConfig(true);
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init(mln.params().dup(), false);
            return (M) net;
        }
        ComputationGraph graph = (ComputationGraph) student;
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        toSoftmax(((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(out.name())).getLayerConf().getLayer());
        conf.setValidateOutputLayerConfig(true);
        ComputationGraph net = new ComputationGraph(conf);
        net.init(graph.params().dup(), false);
        return (M) net;
    }

    private static void toSoftmax(Layer out) {
        BaseOutputLayer o = (BaseOutputLayer) out;
        o.setActivationFn(new org.nd4j.linalg.activations.impl.ActivationSoftmax());
        o.setLossFn(new org.nd4j.linalg.lossfunctions.impl.LossMCXENT());
    }

    private static void toLogits(Layer out, DistillationLoss loss) {
        BaseOutputLayer o = (BaseOutputLayer) out;
        o.setActivationFn(new ActivationIdentity());
        o.setLossFn(loss);
    }

    /**
     * The single output node of {@code net}, which must be a dense output layer (the one whose
     * pre-activation is the logits).
     *
     * @param role "teacher" or "student", for the message
     */
    static LayerNode outputNode(Model net, String role) {
        NetworkView view = NetworkView.of(net);
        if (view.outputs().size() != 1) {
            throw new IllegalArgumentException("the " + role + " has " + view.outputs().size() + " outputs " + view.outputs()
                    + "; distillation needs a classifier with one output layer");
        }
        LayerNode out = view.node(view.outputs().get(0));
        if (out.kind() != LayerKind.OUTPUT || !(out.conf() instanceof BaseOutputLayer)) {
            throw new IllegalArgumentException("the " + role + "'s output is " + out.describe()
                    + "; distillation needs a dense OutputLayer whose pre-activation is the logits");
        }
        return out;
    }

    /**
     * Checks that {@code teacher} and {@code student} predict the same number of classes.
     *
     * @throws IllegalArgumentException naming both sizes if they differ
     */
    public static void checkCompatible(Model teacher, Model student) {
        long t = outputs(teacher);
        long s = outputs(student);
        if (t != s) {
            throw new IllegalArgumentException("the teacher has " + t + " outputs but the student has " + s
                    + ": distillation matches the two distributions class by class, so both need the same classes");
        }
    }

    /** Number of outputs (classes) of a network's output layer. */
    public static long outputs(Model net) {
        return ((BaseOutputLayer) outputNode(net, "network").conf()).getNOut();
    }
}
