package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void rejectsBadRates() {
        assertThrows(IllegalArgumentException.class, () -> new LotteryTicket(s -> Models.mlp(s, 1e-3, 4), null, null, 1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new LotteryTicket(s -> Models.mlp(s, 1e-3, 4), null, null, 0, 0.2));
    }
}
