package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.Test;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.Models;

class LotteryTicketTest {

    @Test
    void roundsPruneTheSurvivorsGeometricallyAndTrain() {
        DatasetSplits mnist = Datasets.mnist();
        LotteryTicket lt = new LotteryTicket(seed -> Models.mlp(seed, 5e-3, 32),
                mnist.train().subset(1000, 1).shuffledIterator(100, 1), mnist.test().head(500).iterator(500), 2, 0.5);
        List<LotteryTicket.Round> rounds = lt.run(2, 3);
        assertEquals(3, rounds.size());
        assertEquals(0.0, rounds.get(0).sparsity(), 0);
        // 1 - 0.5^1 and 1 - 0.5^2, per layer, so overall too (up to rounding of per-layer counts)
        assertEquals(0.5, rounds.get(1).sparsity(), 1e-3);
        assertEquals(0.75, rounds.get(2).sparsity(), 1e-3);
        assertEquals(rounds.get(0).ticketAccuracy(), rounds.get(0).randomInitAccuracy(), 0, "round 0 is the dense network");
        rounds.forEach(r -> assertTrue(r.ticketAccuracy() > 0.5, r.toString()));
    }

    @Test
    void everyRoundStartsFromTheInitialValuesOfTheSurvivors() {
        // each network the experiment builds records its parameters at its first training step
        Map<Long, List<INDArray>> starts = new HashMap<>();
        LongFunction<Model> factory = seed -> {
            MultiLayerNetwork net = Models.mlp(seed, 5e-3, 32);
            net.addListeners(new BaseTrainingListener() {
                boolean seen;

                @Override
                public void onForwardPass(Model model, List<INDArray> activations) {
                    if (!seen) {
                        seen = true;
                        try (var outside = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                            starts.computeIfAbsent(seed, k -> new ArrayList<>()).add(model.params().dup());
                        }
                    }
                }
            });
            return net;
        };
        DatasetSplits mnist = Datasets.mnist();
        new LotteryTicket(factory, mnist.train().subset(300, 1).shuffledIterator(100, 1), mnist.test().head(100).iterator(100), 1, 0.5)
                .run(2, 7);
        INDArray init = Models.mlp(7, 5e-3, 32).params();
        List<INDArray> ticket = starts.get(7L);
        assertEquals(3, ticket.size(), "rounds 0, 1 and 2 train a ticket");
        assertEquals(init, ticket.get(0), "round 0 is the dense network at its initialisation");
        INDArray previousZeros = zeros(init);
        for (int r = 1; r < 3; r++) {
            INDArray start = ticket.get(r);
            INDArray zeros = zeros(start);
            // survivors carry their initial values exactly, not the trained ones; the pruned set only grows
            assertEquals(init.mul(zeros.rsub(1)), start, "round " + r);
            assertEquals(previousZeros.sumNumber().longValue(), previousZeros.mul(zeros).sumNumber().longValue(),
                    "round " + r + " keeps earlier zeros");
            assertTrue(zeros.sumNumber().longValue() > previousZeros.sumNumber().longValue() + 1000, "round " + r + " prunes more");
            previousZeros = zeros;
            // the control trains the same structure from another initialisation
            INDArray control = starts.get(1007L).get(r - 1);
            assertEquals(zeros, zeros(control), "round " + r + " control has the ticket's mask");
            assertTrue(!control.equals(start));
        }
    }

    /** 1 where {@code a} is zero, 0 elsewhere, in {@code a}'s data type. */
    private static INDArray zeros(INDArray a) {
        return a.eq(0).castTo(a.dataType());
    }

    @Test
    void rejectsBadRates() {
        assertThrows(IllegalArgumentException.class, () -> new LotteryTicket(s -> Models.mlp(s, 1e-3, 4), null, null, 1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new LotteryTicket(s -> Models.mlp(s, 1e-3, 4), null, null, 0, 0.2));
    }
}
