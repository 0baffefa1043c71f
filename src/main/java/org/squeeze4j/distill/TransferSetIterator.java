package org.squeeze4j.distill;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/** Shuffled mini-batches of a {@link TransferSet}; see {@link TransferSet#iterator}. */
final class TransferSetIterator implements DataSetIterator {
    private final TransferSet set;
    private final int batchSize;
    private final long seed;
    private int epoch;
    private int cursor;
    private int[] order;
    private DataSetPreProcessor preProcessor;
    /** The whole set in memory when it is small (at most {@value #CACHE_LIMIT} floats), else null. */
    private final DataSet cached;
    private static final long CACHE_LIMIT = 16L << 20;

    TransferSetIterator(TransferSet set, int batchSize, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.set = set;
        this.batchSize = batchSize;
        this.seed = seed;
        this.order = TransferSet.permutation(set.size(), new Random(seed));
        this.cached = (long) set.size() * set.data().features() <= CACHE_LIMIT
                ? set.batch(java.util.stream.IntStream.range(0, set.size()).toArray()) : null;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of the " + set + " is exhausted; call reset()");
        }
        int to = Math.min(cursor + num, set.size());
        int[] positions = java.util.Arrays.copyOfRange(order, cursor, to);
        DataSet batch = cached == null ? set.batch(positions)
                : new DataSet(Nd4j.pullRows(cached.getFeatures(), 1, positions), Nd4j.pullRows(cached.getLabels(), 1, positions));
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
        return cursor < set.size();
    }

    @Override
    public void reset() {
        epoch++;
        cursor = 0;
        order = TransferSet.permutation(set.size(), new Random(seed + epoch));
    }

    @Override
    public int inputColumns() {
        return set.data().features();
    }

    @Override
    public int totalOutcomes() {
        return 2 * set.numClasses();
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
        return IntStream.range(0, set.numClasses()).mapToObj(Integer::toString).collect(Collectors.toList());
    }
}
