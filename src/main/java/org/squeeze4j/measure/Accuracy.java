package org.squeeze4j.measure;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.models.Networks;

/** Classification accuracy, always a fraction in [0, 1] (multiply by 100 for percent). */
public final class Accuracy {
    private Accuracy() {
    }

    /** Top-1 accuracy of {@code net} (a MultiLayerNetwork or single-output ComputationGraph) over all of {@code data} (the iterator is reset first). */
    public static double of(Model net, DataSetIterator data) {
        return evaluate(net, data).accuracy();
    }

    /** The full DL4J evaluation: accuracy, precision, recall, confusion matrix. */
    public static Evaluation evaluate(Model net, DataSetIterator data) {
        data.reset();
        Evaluation eval = Networks.evaluate(net, data);
        data.reset();
        return eval;
    }
}
