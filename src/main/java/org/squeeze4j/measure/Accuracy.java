package org.squeeze4j.measure;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Classification accuracy, always a fraction in [0, 1] (multiply by 100 for percent). */
public final class Accuracy {
    private Accuracy() {
    }

    /** Top-1 accuracy of {@code net} over all of {@code data} (the iterator is reset first). */
    public static double of(MultiLayerNetwork net, DataSetIterator data) {
        return evaluate(net, data).accuracy();
    }

    /** The full DL4J evaluation: accuracy, precision, recall, confusion matrix. */
    public static Evaluation evaluate(MultiLayerNetwork net, DataSetIterator data) {
        data.reset();
        Evaluation eval = net.evaluate(data);
        data.reset();
        return eval;
    }
}
