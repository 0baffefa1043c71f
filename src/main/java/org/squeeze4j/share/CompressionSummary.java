package org.squeeze4j.share;

import java.util.List;

/**
 * Whole-model storage at each stage: the sum over layers of {@link LayerBytes} plus the
 * parameters that are not shared (biases, as float32), and the size of the actual file
 * (which also holds the model name, shapes, Huffman code-length tables and a checksum).
 *
 * @param layers per-layer accounting
 * @param otherParamBytes float32 bytes of the unshared parameters (biases)
 * @param fileBytes size of the compressed file
 */
public record CompressionSummary(List<LayerBytes> layers, long otherParamBytes, long fileBytes) {

    public CompressionSummary {
        layers = List.copyOf(layers);
    }

    /** Dense float32 size of every parameter. */
    public long denseBytes() {
        return layers.stream().mapToLong(LayerBytes::denseBytes).sum() + otherParamBytes;
    }

    /** Pruned, relative-index sparse (P), with biases. */
    public long prunedBytes() {
        return layers.stream().mapToLong(LayerBytes::prunedBytes).sum() + otherParamBytes;
    }

    /** Pruned and shared (P+Q), with biases. */
    public long quantizedBytes() {
        return layers.stream().mapToLong(LayerBytes::quantizedBytes).sum() + otherParamBytes;
    }

    /** Pruned, shared and Huffman coded (P+Q+H), with biases, without file overhead. */
    public long huffmanBytes() {
        return layers.stream().mapToLong(LayerBytes::huffmanBytes).sum() + otherParamBytes;
    }

    /** Dense bytes over file bytes: the honest compression ratio. */
    public double compressionRatio() {
        return (double) denseBytes() / fileBytes;
    }

    /**
     * The paper's measure: dense float32 weights over their Huffman-coded streams plus codebooks
     * (biases and file overhead left out, as in Deep Compression's Tables 1-3).
     */
    public double weightsCompressionRatio() {
        long dense = layers.stream().mapToLong(LayerBytes::denseBytes).sum();
        long coded = layers.stream().mapToLong(LayerBytes::huffmanBytes).sum();
        return (double) dense / coded;
    }

    /** Huffman-coded bits of all streams over their entropy bound (1.0 = optimal). */
    public double huffmanBitsVsEntropy() {
        double huffman = layers.stream().mapToLong(l -> l.huffmanWeightBits() + l.huffmanIndexBits()).sum();
        double entropy = layers.stream().mapToDouble(LayerBytes::entropyBits).sum();
        return huffman / entropy;
    }
}
