package org.squeeze4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A DL4J {@link DataSetIterator} over an {@link IdxDataset}.
 *
 * <p>Deterministic: with shuffling on, epoch {@code e} uses the permutation drawn from
 * {@code new Random(seed + e)}, so a run with the same seed sees exactly the same batches.
 * Batches are built on demand from bytes; asynchronous prefetch is off so that DL4J does not
 * hold extra batches in memory and the order never depends on thread timing.
 */
public final class IdxDataSetIterator implements DataSetIterator {
    private final IdxDataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private int epoch;
    private int cursor;
    private int[] order;
    private DataSetPreProcessor preProcessor;

    IdxDataSetIterator(IdxDataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = orderFor(0);
    }

    private int[] orderFor(int e) {
        if (shuffle) {
            return IdxDataset.permutation(data.size(), new Random(seed + e));
        }
        int[] identity = new int[data.size()];
        Arrays.setAll(identity, i -> i);
        return identity;
    }

    /** The dataset this iterator walks over. */
    public IdxDataset dataset() {
        return data;
    }

    /** Completed passes (resets) so far. */
    public int epoch() {
        return epoch;
    }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + data.name() + " is exhausted; call reset()");
        }
        int to = Math.min(cursor + num, data.size());
        DataSet batch = data.batch(order, cursor, to);
        cursor = to;
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < data.size();
    }

    @Override
    public void reset() {
        epoch++;
        cursor = 0;
        if (shuffle) {
            order = orderFor(epoch);
        }
    }

    @Override
    public int inputColumns() {
        return data.features();
    }

    @Override
    public int totalOutcomes() {
        return data.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < data.numClasses(); i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }
}
