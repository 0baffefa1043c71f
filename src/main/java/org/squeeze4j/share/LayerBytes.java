package org.squeeze4j.share;

/**
 * Exact storage of one layer's weights at each stage of Deep Compression, with the columns of the
 * paper's Tables 1-3: weights kept after pruning (P), bits per weight and per index after
 * quantisation (P+Q) and after Huffman coding (P+Q+H, average bits per entry), and the compression
 * rate of each stage against dense float32. Codebooks (32 bits per shared value) are included;
 * biases and file headers are not (they are in {@link CompressionSummary}).
 *
 * @param layer layer name
 * @param weights number of weights
 * @param nonZeros weights left after pruning
 * @param entries stored entries (non-zeros + fillers when sparse; all weights when dense)
 * @param sparse whether the layer is stored with relative indices
 * @param bits bits per weight symbol (P+Q)
 * @param indexBits bits per relative index (P+Q); 0 when dense
 * @param denseBytes float32: 4 per weight
 * @param prunedBytes pruned, relative-index sparse with float32 values
 * @param quantizedBytes pruned + shared: entries x (bits + indexBits) plus the codebook
 * @param huffmanBytes pruned + shared + Huffman: coded weight and index streams plus the codebook
 * @param huffmanWeightBits bits of the Huffman-coded weight symbols
 * @param huffmanIndexBits bits of the Huffman-coded gaps
 * @param entropyBits entropy bound of both streams, in bits
 */
public record LayerBytes(String layer, long weights, long nonZeros, long entries, boolean sparse, int bits, int indexBits,
                         long denseBytes, long prunedBytes, long quantizedBytes, long huffmanBytes,
                         long huffmanWeightBits, long huffmanIndexBits, double entropyBits) {

    /** Fraction of weights kept by pruning (the paper's "Weights% (P)"). */
    public double keptFraction() {
        return (double) nonZeros / weights;
    }

    /** Average Huffman bits per weight entry ("Weight bits (P+Q+H)"). */
    public double weightBitsHuffman() {
        return (double) huffmanWeightBits / entries;
    }

    /** Average Huffman bits per index ("Index bits (P+Q+H)"); 0 when dense. */
    public double indexBitsHuffman() {
        return sparse ? (double) huffmanIndexBits / entries : 0;
    }

    /** quantizedBytes / denseBytes ("Compress rate (P+Q)"). */
    public double rateQuantized() {
        return (double) quantizedBytes / denseBytes;
    }

    /** huffmanBytes / denseBytes ("Compress rate (P+Q+H)"). */
    public double rateHuffman() {
        return (double) huffmanBytes / denseBytes;
    }
}
