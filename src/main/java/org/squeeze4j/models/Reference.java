package org.squeeze4j.models;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.data.DatasetSplits;

/**
 * A reference network: how to build it, the dataset and recipe its shipped baseline was trained
 * with, and the baseline itself. The LeNets ({@link ReferenceModel}, MNIST) are
 * {@code MultiLayerNetwork}s; the residual and depthwise nets ({@link ReferenceGraph},
 * Fashion-MNIST) are {@code ComputationGraph}s.
 *
 * <p>Each baseline lives on the classpath as {@code /org/squeeze4j/models/<id>.zip} (DL4J
 * ModelSerializer, no updater state) next to {@code <id>.json}, its {@link PretrainedInfo}
 * provenance, and is re-created by {@code ./s4j pretrain <id>}.
 */
public interface Reference<M extends Model> {
    /** The short id used on the command line and in file names, e.g. "resnet8". */
    String id();

    TrainingRecipe recipe();

    /** A freshly initialised, untrained network. */
    M create(long seed, double learningRate);

    /** A freshly initialised network with the recipe's seed and learning rate. */
    default M create() {
        return create(recipe().seed(), recipe().learningRate());
    }

    /** The dataset the baseline is trained and tested on. */
    DatasetSplits data();

    /** Loads the shipped pretrained baseline (a new copy on every call). */
    M pretrained();

    /** Classpath location of the pretrained model. */
    default String resource() {
        return "/org/squeeze4j/models/" + id() + ".zip";
    }

    /** Provenance of the shipped pretrained baseline. */
    default PretrainedInfo pretrainedInfo() {
        return ModelFiles.readProvenance("/org/squeeze4j/models/" + id() + ".json", PretrainedInfo.class,
                "./s4j pretrain " + id());
    }

    /** Every reference network, LeNets first. */
    static Stream<Reference<?>> all() {
        return Stream.concat(Arrays.stream(ReferenceModel.values()), Arrays.stream(ReferenceGraph.values()));
    }

    /** The reference network with this id, e.g. "lenet-5-caffe" or "resnet8". */
    static Reference<?> byId(String id) {
        return all().filter(m -> m.id().equalsIgnoreCase(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown model '" + id + "'. Known models: "
                        + all().map(Reference::id).collect(Collectors.joining(", "))));
    }
}
