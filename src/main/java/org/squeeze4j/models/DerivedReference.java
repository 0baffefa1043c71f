package org.squeeze4j.models;

import org.deeplearning4j.nn.api.Model;

/**
 * A shipped network made from a {@link Reference} baseline by a recipe too long for a notebook
 * (channel pruning, quantization-aware training): it lives on the classpath as
 * {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json}, its provenance record, and
 * {@code ./s4j <verb> <baseline id>} re-creates both.
 *
 * @param <M> the network class
 * @param <I> the provenance record
 */
public interface DerivedReference<M extends Model, I> {
    /** File name stem, e.g. "resnet8-channels". */
    String id();

    /** The baseline it is made from. */
    Reference<? extends Model> dense();

    /** The {@code ./s4j} command that makes it, e.g. "prune". */
    String verb();

    Class<M> modelType();

    Class<I> infoType();

    /** The command that re-creates the shipped files. */
    default String command() {
        return "./s4j " + verb() + " " + dense().id();
    }

    /** Loads the shipped network (a new copy on every call). */
    default M pretrained() {
        return ModelFiles.loadResource("/org/squeeze4j/models/" + id() + ".zip", command(), modelType());
    }

    /** Provenance of the shipped network. */
    default I info() {
        return ModelFiles.readProvenance("/org/squeeze4j/models/" + id() + ".json", infoType(), command());
    }
}
