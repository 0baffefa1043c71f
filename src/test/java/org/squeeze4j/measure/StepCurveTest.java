package org.squeeze4j.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.Models;

class StepCurveTest {
    private static DataSet data(long seed) {
        Nd4j.getRandom().setSeed(seed);
        var labels = Nd4j.zeros(DataType.FLOAT, 64, 10);
        for (int i = 0; i < 64; i++) {
            labels.putScalar(i, i % 10, 1);
        }
        return new DataSet(Nd4j.rand(DataType.FLOAT, 64, 784), labels);
    }

    @Test
    void recordsStepZeroThenEveryKStepsAndTheLossOfEveryStep() {
        MultiLayerNetwork net = Models.mlp(1, 1e-2, 16);
        DataSet train = data(1);
        ListDataSetIterator<DataSet> probe = new ListDataSetIterator<>(data(2).asList(), 32);
        double before = Accuracy.of(net, probe);
        List<Double> scores = new ArrayList<>();
        net.addListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                scores.add(model.score());
            }
        });
        StepCurve curve = StepCurve.attach(net, probe, 3);
        net.fit(new ListDataSetIterator<>(train.asList(), 8));   // 8 steps
        assertEquals(8, curve.steps());
        assertArrayEquals(new double[] {0, 3, 6}, curve.accuracy().steps());
        assertEquals(before, curve.accuracy().values()[0], 0, "step 0 is the network before training");
        StepCurve.Points loss = curve.loss(4);
        assertArrayEquals(new double[] {4, 8}, loss.steps());
        assertEquals(scores.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow(), loss.values()[0], 1e-12);
        assertEquals(scores.subList(4, 8).stream().mapToDouble(d -> d).average().orElseThrow(), loss.values()[1], 1e-12);
        assertTrue(curve.evaluationSeconds() > 0);
    }

    @Test
    void evaluatingTheProbeDoesNotChangeTraining() {
        MultiLayerNetwork watched = Models.mlp(1, 1e-2, 16);
        MultiLayerNetwork plain = Models.mlp(1, 1e-2, 16);
        DataSet train = data(3);
        StepCurve.attach(watched, new ListDataSetIterator<>(data(4).asList(), 32), 1);
        watched.fit(new ListDataSetIterator<>(train.asList(), 8));
        plain.fit(new ListDataSetIterator<>(train.asList(), 8));
        assertEquals(plain.params(), watched.params());
    }

    @Test
    void refusesAnEmptyInterval() {
        assertThrows(IllegalArgumentException.class, () -> StepCurve.attach(Models.mlp(1, 1e-2, 16),
                new ListDataSetIterator<>(data(5).asList(), 32), 0));
    }
}
