package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
    void earlyStoppingRestoresTheBestEpoch() {
        MultiLayerNetwork net = Models.mlp(3, 5e-2, 16); // a learning rate too high to keep improving
        TrainingHistory h = Trainer.builder().epochs(12).patience(2).progress(null).build()
                .fit(net, train.shuffledIterator(64, 3), valid.iterator(500));
        double best = h.epochs().get(h.bestEpoch() - 1).validationAccuracy();
        assertEquals(best, h.bestValidationAccuracy(), 1e-12);
        assertEquals(best, Accuracy.of(net, valid.iterator(500)), 1e-12, "the best weights are restored");
        if (h.stoppedEarly()) {
            assertEquals(h.bestEpoch() + 2, h.epochs().size());
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().epochs(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().patience(-1));
        Trainer t = Trainer.builder().patience(2).build();
        assertThrows(IllegalArgumentException.class, () -> t.fit(Models.mlp(1, 1e-3, 4), train.iterator(10), null));
    }
}
