package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.measure.Accuracy;

class TrainerTest {
    static IdxDataset train;
    static IdxDataset valid;

    @BeforeAll
    static void load() {
        DatasetSplits mnist = Datasets.mnist();
        train = mnist.train().subset(3000, 1);
        valid = mnist.test().subset(1000, 2);
    }

    private static MultiLayerNetwork trainOnce(long seed, PrintStream progress) {
        MultiLayerNetwork net = Models.mlp(seed, 1e-3, 32);
        Trainer.builder().epochs(2).progress(progress).build()
                .fit(net, train.shuffledIterator(64, seed), valid.iterator(500));
        return net;
    }

    @Test
    void learnsAndReportsEachEpoch() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MultiLayerNetwork net = Models.mlp(7, 1e-3, 32);
        TrainingHistory h = Trainer.builder().epochs(3).progress(new PrintStream(log, true, StandardCharsets.UTF_8)).build()
                .fit(net, train.shuffledIterator(64, 7), valid.iterator(500));
        assertEquals(3, h.epochs().size());
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss(), "loss should fall: " + h);
        assertTrue(h.bestValidationAccuracy() > 0.85, "3 epochs on 3000 digits reach well above 85%: " + h);
        assertEquals(h.last().validationAccuracy(), Accuracy.of(net, valid.iterator(500)), 1e-12);
        // the learning rate decays by Models.LR_DECAY per epoch
        assertEquals(1e-3 * Models.LR_DECAY, h.epochs().get(1).learningRate(), 1e-12);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("epoch 1/3") && text.contains("epoch 3/3") && text.contains("left"), text);
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        MultiLayerNetwork a = trainOnce(11, null);
        MultiLayerNetwork b = trainOnce(11, null);
        assertEquals(a.params(), b.params());
        MultiLayerNetwork c = trainOnce(12, null);
        assertTrue(!a.params().equals(c.params()));
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() {
        // a net that knows the digits, then trained on labels shifted by one (y -> y+1 mod 10): its
        // accuracy on the true labels can only fall, so epoch 1 stays best and training stops after
        // 1 + patience epochs with epoch 1's weights back
        MultiLayerNetwork net = Models.mlp(3, 1e-3, 16);
        Trainer.builder().epochs(2).progress(null).build().fit(net, train.shuffledIterator(64, 3), null);
        org.nd4j.linalg.dataset.DataSet wrong = train.toDataSet();
        INDArray y = wrong.getLabels();
        wrong.setLabels(org.nd4j.linalg.factory.Nd4j.hstack(y.get(NDArrayIndex.all(), NDArrayIndex.interval(9, 10)),
                y.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 9))));
        List<org.nd4j.linalg.dataset.DataSet> batches = wrong.batchBy(64);
        TrainingHistory h = Trainer.builder().epochs(12).patience(2).progress(null).build()
                .fit(net, new ListDataSetIterator<>(batches), valid.iterator(500));
        assertTrue(h.stoppedEarly(), h.toString());
        assertEquals(3, h.epochs().size(), h.toString());
        assertEquals(1, h.bestEpoch());
        double first = h.epochs().get(0).validationAccuracy();
        assertTrue(h.last().validationAccuracy() < first - 0.05, h.toString());
        assertEquals(first, h.bestValidationAccuracy(), 1e-12);
        assertEquals(first, Accuracy.of(net, valid.iterator(500)), 1e-12, "the best weights are restored");
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().epochs(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().patience(-1));
        Trainer t = Trainer.builder().patience(2).build();
        assertThrows(IllegalArgumentException.class, () -> t.fit(Models.mlp(1, 1e-3, 4), train.iterator(10), null));
    }
}
