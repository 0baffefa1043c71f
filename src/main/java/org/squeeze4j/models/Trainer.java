package org.squeeze4j.models;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A small training loop around DL4J's {@code fit(DataSetIterator)} for a {@code MultiLayerNetwork}
 * or a single-input {@code ComputationGraph} (see {@link Networks}): a fixed number of
 * epochs, optional validation after each, early stopping with best-weights restore, and one
 * progress line per epoch (loss, validation accuracy, time, estimated time left).
 *
 * <p>The learning-rate schedule belongs to the network's updater (see {@link Models});
 * the trainer only reports it. Progress is plain lines rather than a terminal progress bar
 * because notebook outputs and CI logs keep lines, not carriage returns.
 *
 * <pre>{@code
 * TrainingHistory h = Trainer.builder().epochs(10).patience(3).build()
 *         .fit(net, mnist.train().shuffledIterator(128, 42), mnist.test().iterator(1000));
 * }</pre>
 */
public final class Trainer {
    private final int epochs;
    private final int patience;
    private final PrintStream progress;
    private final int progressEveryBatches;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.patience = b.patience;
        this.progress = b.progress;
        this.progressEveryBatches = b.progressEveryBatches;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code net} in place.
     *
     * @param validation evaluated after every epoch; may be null (then no early stopping)
     */
    public TrainingHistory fit(Model net, DataSetIterator train, DataSetIterator validation) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(train, "train iterator");
        if (patience > 0 && validation == null) {
            throw new IllegalArgumentException("early stopping (patience " + patience + ") needs validation data");
        }
        LossTracker loss = new LossTracker();
        net.addListeners(loss);
        List<EpochResult> results = new ArrayList<>();
        long start = System.nanoTime();
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        INDArray bestParams = null;
        boolean stoppedEarly = false;
        try {
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                double lr = Networks.learningRate(net);
                loss.reset();
                train.reset();
                Networks.fit(net, train);
                double acc = validation == null ? Double.NaN : accuracy(net, validation);
                double secs = (System.nanoTime() - t0) / 1e9;
                results.add(new EpochResult(e, loss.mean(), acc, lr, secs));
                if (validation == null || acc > best) {
                    best = validation == null ? best : acc;
                    bestEpoch = e;
                    if (patience > 0) {
                        bestParams = net.params().dup();
                    }
                }
                report(e, loss.mean(), acc, lr, secs, (System.nanoTime() - start) / 1e9);
                if (patience > 0 && e - bestEpoch >= patience) {
                    stoppedEarly = true;
                    println(String.format(Locale.ROOT, "early stop: no better validation accuracy for %d epochs; restoring epoch %d",
                            patience, bestEpoch));
                    break;
                }
            }
        } finally {
            Networks.removeListener(net, loss);
        }
        if (bestParams != null && bestEpoch != results.size()) {
            net.setParams(bestParams);
        }
        return new TrainingHistory(results, bestEpoch, stoppedEarly, (System.nanoTime() - start) / 1e9);
    }

    private static double accuracy(Model net, DataSetIterator data) {
        data.reset();
        double acc = Networks.evaluate(net, data).accuracy();
        data.reset();
        return acc;
    }

    private void report(int epoch, double loss, double acc, double lr, double secs, double elapsed) {
        double left = elapsed / epoch * (epochs - epoch);
        String accText = Double.isNaN(acc) ? "" : String.format(Locale.ROOT, "  val acc %.2f%%", 100 * acc);
        println(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f%s  lr %.2e  %.1f s  (about %s left)",
                epoch, epochs, loss, accText, lr, secs, duration(left)));
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }

    private void println(String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }

    /** Averages the mini-batch loss DL4J reports and prints in-epoch progress for slow models. */
    private final class LossTracker extends BaseTrainingListener {
        private double sum;
        private int count;

        void reset() {
            sum = 0;
            count = 0;
        }

        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
            count++;
            if (progressEveryBatches > 0 && count % progressEveryBatches == 0) {
                println(String.format(Locale.ROOT, "  batch %d  loss %.4f", count, mean()));
            }
        }
    }

    /** Options for a {@link Trainer}; only {@link #epochs} is usually set. */
    public static final class Builder {
        private int epochs = 1;
        private int patience;
        private PrintStream progress = System.out;
        private int progressEveryBatches;

        /** Number of epochs to run (at most, with early stopping). */
        public Builder epochs(int epochs) {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be positive, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** Stop after this many epochs without a better validation accuracy and restore the best weights; 0 = off. */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, got " + patience);
            }
            this.patience = patience;
            return this;
        }

        /** Where progress lines go; null for silence. */
        public Builder progress(PrintStream progress) {
            this.progress = progress;
            return this;
        }

        /** Also print the running loss every {@code n} mini-batches (useful for slow conv nets); 0 = off. */
        public Builder progressEveryBatches(int n) {
            this.progressEveryBatches = Math.max(0, n);
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
