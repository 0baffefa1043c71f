package org.squeeze4j.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.NetworkView;

/**
 * Weight sharing (Deep Compression, Section 3): per layer, k-means over the surviving
 * (non-zero) weights; each weight is replaced by its centroid and stored as a {@code b}-bit
 * symbol. Pruned weights stay exactly zero (symbol 0), so a {@code b}-bit layer has
 * {@code 2^b - 1} shared values.
 *
 * <pre>{@code
 * SharedWeights shared = WeightSharing.builder().convBits(8).denseBits(5).build().apply(net);  // net changed in place
 * }</pre>
 *
 * <p>Defaults: the paper's 8 bits for convolutions and 5 for fully connected layers, linear
 * initialisation, seed 42, at most 100 Lloyd iterations.
 */
public final class WeightSharing {
    /** Allowed bits per layer: 1..8 (the paper uses 2..8). */
    public static final int MAX_BITS = 8;

    private final int convBits;
    private final int denseBits;
    private final Map<String, Integer> bits;
    private final List<String> layers;
    private final CentroidInit init;
    private final long seed;
    private final int iterations;

    private WeightSharing(Builder b) {
        this.convBits = b.convBits;
        this.denseBits = b.denseBits;
        this.bits = Map.copyOf(b.bits);
        this.layers = List.copyOf(b.layers);
        this.init = b.init;
        this.seed = b.seed;
        this.iterations = b.iterations;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Clusters every selected layer's non-zero weights, writes the centroids into {@code net} and returns the codes. */
    public SharedWeights apply(Model net) {
        NetworkView view = NetworkView.of(net);
        List<String> names = layers.isEmpty() ? view.weightedNames() : layers;
        for (String name : bits.keySet()) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("bits given for layer '" + name + "', which is not shared; shared layers are " + names);
            }
        }
        List<SharedLayer> shared = new ArrayList<>();
        for (String name : names) {
            INDArray w = view.weightedNode(name).weight();
            int b = bits.getOrDefault(name, view.weightedNode(name).kind().convolutional() ? convBits : denseBits);
            SharedLayer layer = share(name, w, b, init, seed, iterations);
            w.assign(layer.weights());
            shared.add(layer);
        }
        return new SharedWeights(shared);
    }

    /** Shares one weight array (not modified) with {@code bits} bits. */
    public static SharedLayer share(String name, INDArray w, int bits, CentroidInit init, long seed, int iterations) {
        checkBits(bits, name);
        float[] flat = w.castTo(DataType.FLOAT).dup('c').reshape(w.length()).toFloatVector();
        int nonZeros = 0;
        for (float v : flat) {
            nonZeros += v == 0f ? 0 : 1;
        }
        float[] survivors = new float[nonZeros];
        int i = 0;
        for (float v : flat) {
            if (v != 0f) {
                survivors[i++] = v;
            }
        }
        int k = (1 << bits) - 1;
        if (nonZeros < k) {
            throw new IllegalArgumentException("layer " + name + " has " + nonZeros + " non-zero weights, fewer than the "
                    + k + " shared values of " + bits + " bits; use at most "
                    + (31 - Integer.numberOfLeadingZeros(nonZeros + 1)) + " bits for it");
        }
        double[] c = KMeans1D.fit(survivors, k, init, seed, iterations);
        float[] centroids = new float[k];
        for (int j = 0; j < k; j++) {
            centroids[j] = (float) c[j];
        }
        java.util.Arrays.sort(centroids);
        Codebook codebook = new Codebook(centroids);
        int[] symbols = new int[flat.length];
        for (int p = 0; p < flat.length; p++) {
            symbols[p] = codebook.symbolOf(flat[p]);
        }
        return new SharedLayer(name, w.shape(), bits, codebook, symbols);
    }

    static void checkBits(int bits, String layer) {
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits for layer " + layer + " must be 1-" + MAX_BITS
                    + " (the paper uses 8 for convolutions, 5-6 for fully connected layers), got " + bits);
        }
    }

    /** Options of {@link WeightSharing}. */
    public static final class Builder {
        private int convBits = 8;
        private int denseBits = 5;
        private final Map<String, Integer> bits = new HashMap<>();
        private final List<String> layers = new ArrayList<>();
        private CentroidInit init = CentroidInit.LINEAR;
        private long seed = 42;
        private int iterations = 100;

        /** Bits for convolution layers (default 8). */
        public Builder convBits(int b) {
            checkBits(b, "(all convolutions)");
            this.convBits = b;
            return this;
        }

        /** Bits for dense and output layers (default 5). */
        public Builder denseBits(int b) {
            checkBits(b, "(all dense layers)");
            this.denseBits = b;
            return this;
        }

        /** Bits for one layer, overriding the default of its kind. */
        public Builder bits(String layer, int b) {
            checkBits(b, layer);
            bits.put(layer, b);
            return this;
        }

        /** Share only these layers (default: every layer with weights). */
        public Builder layers(String... names) {
            layers.clear();
            layers.addAll(List.of(names));
            return this;
        }

        public Builder init(CentroidInit init) {
            this.init = java.util.Objects.requireNonNull(init, "init");
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder iterations(int iterations) {
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            this.iterations = iterations;
            return this;
        }

        public WeightSharing build() {
            return new WeightSharing(this);
        }
    }
}
