package org.squeeze4j.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled images from an IDX image file and an IDX label file: {@code n} samples of
 * {@code rows x cols} unsigned-byte pixels and {@code n} labels in {@code [0, numClasses)}.
 *
 * <p>Kept as bytes (47 MB for MNIST's 60,000 training images instead of 188 MB of floats);
 * batches become ND4J arrays only when an iterator asks for them, scaled to [0, 1] as
 * {@code x / 255}. Immutable: {@link #subset} and {@link #head} return new datasets.
 */
public final class IdxDataset {
    private final String name;
    private final byte[] pixels;
    private final byte[] labels;
    private final int size;
    private final int rows;
    private final int cols;
    private final int numClasses;

    private IdxDataset(String name, byte[] pixels, byte[] labels, int rows, int cols, int numClasses) {
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.size = labels.length;
        this.rows = rows;
        this.cols = cols;
        this.numClasses = numClasses;
    }

    /**
     * Reads an image file ({@code [n, rows, cols]} or {@code [n, features]}) and its label file
     * ({@code [n]}) and checks that they belong together.
     *
     * @throws DatasetException if a file is missing or corrupt, or the two do not match
     */
    public static IdxDataset load(String name, Path imageFile, Path labelFile) {
        IdxArray images = IdxReader.read(imageFile);
        IdxArray labels = IdxReader.read(labelFile);
        return of(name, images, labels);
    }

    static IdxDataset of(String name, IdxArray images, IdxArray labels) {
        if (images.rank() != 3 && images.rank() != 2) {
            throw new DatasetException("Image file " + images.source() + " has shape " + Arrays.toString(images.shape())
                    + "; expected [samples, rows, cols] or [samples, features]. Did you swap the image and label files?");
        }
        if (labels.rank() != 1) {
            throw new DatasetException("Label file " + labels.source() + " has shape " + Arrays.toString(labels.shape())
                    + "; expected [samples]. Did you swap the image and label files?");
        }
        if (images.dimension(0) != labels.dimension(0)) {
            throw new DatasetException("Image file " + images.source() + " holds " + images.dimension(0)
                    + " samples but label file " + labels.source() + " holds " + labels.dimension(0)
                    + " labels. They do not belong together (train images with test labels?).");
        }
        int rows = images.dimension(1);
        int cols = images.rank() == 3 ? images.dimension(2) : 1;
        int maxLabel = 0;
        byte[] labelBytes = labels.values();
        for (byte b : labelBytes) {
            maxLabel = Math.max(maxLabel, b & 0xFF);
        }
        return new IdxDataset(name, images.values(), labelBytes, rows, cols, maxLabel + 1);
    }

    /**
     * The same images and labels with {@code classes} classes, e.g. a test set given the training
     * set's class count (a test split may lack the last class, which must not make its one-hot
     * labels narrower than the model's outputs).
     *
     * @throws DatasetException naming the first label outside {@code [0, classes)}
     */
    IdxDataset withNumClasses(int classes, String whose) {
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= classes) {
                throw new DatasetException(name + ": label " + (labels[i] & 0xFF) + " of sample " + i + " is not one of the "
                        + classes + " classes of " + whose + " (labels 0-" + (classes - 1) + "). The splits do not belong"
                        + " together, or a label file is corrupt.");
            }
        }
        return new IdxDataset(name, pixels, labels, rows, cols, classes);
    }

    /** A short name such as "mnist/train". */
    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Pixels per sample, {@code rows * cols}. */
    public int features() {
        return rows * cols;
    }

    /** One more than the largest label in the label file the dataset was read from. */
    public int numClasses() {
        return numClasses;
    }

    public int label(int sample) {
        checkIndex(sample);
        return labels[sample] & 0xFF;
    }

    /** Pixel value in [0, 255]. */
    public int pixel(int sample, int row, int col) {
        checkIndex(sample);
        return pixels[sample * features() + row * cols + col] & 0xFF;
    }

    /** Number of samples of each class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (byte b : labels) {
            counts[b & 0xFF]++;
        }
        return counts;
    }

    /** The first {@code n} samples. */
    public IdxDataset head(int n) {
        checkCount(n);
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return select(name + "[:" + n + "]", idx);
    }

    /** {@code n} samples drawn without replacement, the same ones for the same seed. */
    public IdxDataset subset(int n, long seed) {
        checkCount(n);
        int[] perm = permutation(size, new Random(seed));
        return select(name + "[" + n + " @seed " + seed + "]", Arrays.copyOf(perm, n));
    }

    /** Samples {@code [from, to)} in file order, e.g. to hold out a validation split. */
    public IdxDataset range(int from, int to) {
        if (from < 0 || to > size || from >= to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") is not inside [0, " + size + ") of " + name);
        }
        int[] idx = new int[to - from];
        Arrays.setAll(idx, i -> from + i);
        return select(name + "[" + from + ":" + to + "]", idx);
    }

    /**
     * Mini-batches in file order, the same every epoch. Use for evaluation.
     */
    public IdxDataSetIterator iterator(int batchSize) {
        return new IdxDataSetIterator(this, batchSize, false, 0L);
    }

    /**
     * Mini-batches in a fresh random order every epoch; epoch {@code e} of seed {@code s}
     * always sees the same order, so training is reproducible.
     */
    public IdxDataSetIterator shuffledIterator(int batchSize, long seed) {
        return new IdxDataSetIterator(this, batchSize, true, seed);
    }

    /** All samples as one {@link DataSet}: features {@code [n, rows*cols]} in [0, 1], one-hot labels. */
    public DataSet toDataSet() {
        int[] idx = new int[size];
        Arrays.setAll(idx, i -> i);
        return batch(idx, 0, size);
    }

    /** Features of the given samples, {@code [k, rows*cols]}, scaled to [0, 1]. */
    public INDArray features(int... samples) {
        return batch(samples, 0, samples.length).getFeatures();
    }

    DataSet batch(int[] order, int from, int to) {
        int n = to - from;
        int f = features();
        float[] x = new float[n * f];
        float[] y = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            int s = order[from + i];
            checkIndex(s);
            int base = s * f;
            for (int j = 0; j < f; j++) {
                x[i * f + j] = (pixels[base + j] & 0xFF) / 255f;
            }
            y[i * numClasses + (labels[s] & 0xFF)] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[] {n, f}, DataType.FLOAT);
        INDArray oneHot = Nd4j.create(y, new long[] {n, numClasses}, DataType.FLOAT);
        return new DataSet(features, oneHot);
    }

    static int[] permutation(int n, Random random) {
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    private IdxDataset select(String newName, int[] indices) {
        int f = features();
        byte[] p = new byte[indices.length * f];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * f, p, i * f, f);
            l[i] = labels[indices[i]];
        }
        return new IdxDataset(newName, p, l, rows, cols, numClasses);
    }

    private void checkIndex(int sample) {
        if (sample < 0 || sample >= size) {
            throw new IndexOutOfBoundsException("sample " + sample + " is outside [0, " + size + ") of " + name);
        }
    }

    private void checkCount(int n) {
        if (n <= 0 || n > size) {
            throw new IllegalArgumentException("cannot take " + n + " samples from " + name + ", which has " + size);
        }
    }

    @Override
    public String toString() {
        return name + ": " + size + " samples of " + rows + "x" + cols + ", " + numClasses + " classes";
    }
}
