package org.squeeze4j.distill;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.IdxDataset;

/**
 * The transfer set of distillation: images of an {@link IdxDataset} with their hard labels and the
 * teacher's cached logits, row {@code i} of {@code logits} belonging to image {@code i} of the data.
 *
 * <p>Immutable; {@link #subset} and {@link #withoutClass} select images by index, so the teacher
 * logits always stay aligned with their images. {@link #iterator} yields the labels
 * {@code [one-hot | teacher logits]} that {@link DistillationLoss} reads.
 */
public final class TransferSet {
    private final IdxDataset data;
    private final INDArray logits;
    private final int[] indices;

    private TransferSet(IdxDataset data, INDArray logits, int[] indices) {
        this.data = data;
        this.logits = logits;
        this.indices = indices;
    }

    /**
     * All images of {@code data} with their teacher logits.
     *
     * @param logits {@code [data.size(), data.numClasses()]}, e.g. {@code TeacherLogits.load("lenet-5-caffe", "train")}
     */
    public static TransferSet of(IdxDataset data, INDArray logits) {
        if (logits.rank() != 2 || logits.rows() != data.size()) {
            throw new IllegalArgumentException("teacher logits have shape " + Arrays.toString(logits.shape()) + " but " + data.name()
                    + " has " + data.size() + " images: give one row of logits per image, in the data's file order");
        }
        if (logits.columns() != data.numClasses()) {
            throw new IllegalArgumentException("the teacher has " + logits.columns() + " outputs but " + data.name() + " has "
                    + data.numClasses() + " classes: teacher and student must predict the same classes");
        }
        return new TransferSet(data, logits.castTo(DataType.FLOAT), IntStream.range(0, data.size()).toArray());
    }

    /** {@code n} images drawn without replacement, the same ones for the same seed. */
    public TransferSet subset(int n, long seed) {
        if (n <= 0 || n > indices.length) {
            throw new IllegalArgumentException("cannot take " + n + " images from a transfer set of " + indices.length);
        }
        int[] perm = permutation(indices.length, new Random(seed));
        int[] picked = new int[n];
        for (int i = 0; i < n; i++) {
            picked[i] = indices[perm[i]];
        }
        Arrays.sort(picked);
        return new TransferSet(data, logits, picked);
    }

    /** The images of every class except {@code omitted} (Hinton's missing-class experiment). */
    public TransferSet withoutClass(int omitted) {
        if (omitted < 0 || omitted >= numClasses()) {
            throw new IllegalArgumentException("class " + omitted + " is outside [0, " + numClasses() + ")");
        }
        return new TransferSet(data, logits, Arrays.stream(indices).filter(i -> data.label(i) != omitted).toArray());
    }

    /** The images of {@link #data()} that are not in this set, e.g. to hold out a validation set. */
    public int[] complement() {
        boolean[] in = new boolean[data.size()];
        for (int i : indices) {
            in[i] = true;
        }
        return IntStream.range(0, data.size()).filter(i -> !in[i]).toArray();
    }

    public int size() {
        return indices.length;
    }

    public int numClasses() {
        return (int) logits.columns();
    }

    /** The underlying dataset. */
    public IdxDataset data() {
        return data;
    }

    /** The selected image indices into {@link #data()}, ascending. */
    public int[] indices() {
        return indices.clone();
    }

    /** Images per class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i : indices) {
            counts[data.label(i)]++;
        }
        return counts;
    }

    /** Features of all selected images, {@code [size, features]} in [0, 1]. */
    public INDArray features() {
        return data.features(indices);
    }

    /** The teacher logits of the selected images, {@code [size, K]}. */
    public INDArray teacherLogits() {
        return logits.getRows(indices);
    }

    /**
     * Shuffled mini-batches with labels {@code [one-hot | teacher logits]}; epoch {@code e} uses the
     * permutation drawn from {@code new Random(seed + e)}, so two students trained with the same seed
     * see exactly the same batches.
     */
    public DataSetIterator iterator(int batchSize, long seed) {
        return new TransferSetIterator(this, batchSize, seed);
    }

    /** Features and labels {@code [one-hot | teacher logits]} of the set's images at the given positions (into this set). */
    org.nd4j.linalg.dataset.DataSet batch(int[] positions) {
        int[] rows = new int[positions.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = indices[positions[i]];
        }
        INDArray x = data.features(rows);
        int k = numClasses();
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows.length, 2L * k);
        for (int i = 0; i < rows.length; i++) {
            y.putScalar(i, data.label(rows[i]), 1f);
        }
        y.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(k, 2 * k))
                .assign(logits.getRows(rows));
        return new org.nd4j.linalg.dataset.DataSet(x, y);
    }

    static int[] permutation(int n, Random random) {
        int[] perm = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    @Override
    public String toString() {
        return "transfer set of " + indices.length + " images from " + data.name();
    }
}
