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

    /** Top-1 accuracy of the integer engine's {@code model} over all of {@code data} (argmax of its output codes, first on ties). */
    public static double of(org.squeeze4j.engine.IntModel model, DataSetIterator data) {
        data.reset();
        long correct = 0;
        long total = 0;
        while (data.hasNext()) {
            org.nd4j.linalg.dataset.DataSet d = data.next();
            int[] predicted = model.predict(d.getFeatures());
            int[] labels = d.getLabels().argMax(1).toIntVector();
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            total += predicted.length;
        }
        data.reset();
        if (total == 0) {
            throw new IllegalArgumentException("no evaluation data: the iterator is empty");
        }
        return (double) correct / total;
    }

    /** The full DL4J evaluation: accuracy, precision, recall, confusion matrix. */
    public static Evaluation evaluate(Model net, DataSetIterator data) {
        data.reset();
        Evaluation eval = Networks.evaluate(net, data);
        data.reset();
        return eval;
    }
}
