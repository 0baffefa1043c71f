package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.Networks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.Trainer;

/**
 * The lottery-ticket experiment (Frankle &amp; Carbin 2019): iterative magnitude pruning with
 * <em>rewinding</em>. Each round trains the masked network, removes the fraction {@code rate} of
 * the surviving weights of each layer with the smallest magnitude, and resets the survivors to
 * their <em>initial</em> values. The control trains the same sparse structure from a
 * <em>different</em> random initialisation: if the rewound ticket trains better, the initial
 * values matter, not only the structure.
 */
public final class LotteryTicket {
    private final LongFunction<? extends Model> factory;
    private final DataSetIterator train;
    private final DataSetIterator test;
    private final int epochsPerRound;
    private final double ratePerRound;

    /** One round: the sparsity trained at and the test accuracy of the rewound ticket and of the random re-initialisation. */
    public record Round(int round, double sparsity, double ticketAccuracy, double randomInitAccuracy) {
    }

    /**
     * @param factory builds a freshly initialised network for a seed
     * @param ratePerRound fraction of the surviving weights pruned after each round, in (0, 1)
     */
    public LotteryTicket(LongFunction<? extends Model> factory, DataSetIterator train, DataSetIterator test,
                         int epochsPerRound, double ratePerRound) {
        if (!(ratePerRound > 0 && ratePerRound < 1)) {
            throw new IllegalArgumentException("pruning rate per round must be in (0, 1), got " + ratePerRound);
        }
        if (epochsPerRound <= 0) {
            throw new IllegalArgumentException("epochs per round must be positive, got " + epochsPerRound);
        }
        this.factory = factory;
        this.train = train;
        this.test = test;
        this.epochsPerRound = epochsPerRound;
        this.ratePerRound = ratePerRound;
    }

    /** Runs {@code rounds} rounds from the initialisation of {@code seed}; the control uses {@code seed + 1000}. */
    public List<Round> run(int rounds, long seed) {
        Model init = factory.apply(seed);
        INDArray initialParams = init.params().dup();
        Masks masks = Masks.none();
        List<Round> results = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) {
            Model ticket = factory.apply(seed);
            ticket.setParams(initialParams.dup());
            double ticketAcc = trainMasked(ticket, masks);
            double sparsity = masks.layers().isEmpty() ? 0 : Pruner.sparsity(ticket);
            double randomAcc = r == 0 ? ticketAcc : trainMasked(factory.apply(seed + 1000), masks);
            results.add(new Round(r, sparsity, ticketAcc, randomAcc));
            if (r < rounds) {
                // prune `rate` of the survivors of each layer: overall sparsity 1 - (1 - rate)^(r+1)
                double next = 1 - Math.pow(1 - ratePerRound, r + 1);
                masks = masks.and(Pruner.builder().sparsity(next).build().masks(ticket));
            }
        }
        return results;
    }

    private double trainMasked(Model net, Masks masks) {
        masks.applyTo(net);
        MaskKeeper keeper = masks.keeper();
        net.addListeners(keeper);
        try {
            Trainer.builder().epochs(epochsPerRound).progress(null).build().fit(net, train, null);
        } finally {
            Networks.removeListener(net, keeper);
        }
        return Accuracy.of(net, test);
    }
}
