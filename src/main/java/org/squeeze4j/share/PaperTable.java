package org.squeeze4j.share;

import java.util.List;

/**
 * Rows of Deep Compression's Table 1 (LeNet-300-100) and Table 2 (Caffe LeNet-5) as printed in
 * Han, Mao &amp; Dally, ICLR 2016, to put beside our {@link LayerBytes}. Percentages are fractions.
 *
 * @param layer the paper's layer name (ip = inner product, i.e. fully connected)
 * @param weights number of weights
 * @param kept "Weights% (P)"
 * @param weightBits "Weight bits (P+Q)"
 * @param weightBitsHuffman "Weight bits (P+Q+H)"
 * @param indexBits "Index bits (P+Q)"
 * @param indexBitsHuffman "Index bits (P+Q+H)"
 * @param rateQuantized "Compress rate (P+Q)"
 * @param rateHuffman "Compress rate (P+Q+H)"
 */
public record PaperTable(String layer, long weights, double kept, double weightBits, double weightBitsHuffman,
                         double indexBits, double indexBitsHuffman, double rateQuantized, double rateHuffman) {

    /** Table 1: LeNet-300-100, 40x (error 1.64 % -> 1.58 %). */
    public static List<PaperTable> lenet300100() {
        return List.of(
                new PaperTable("ip1", 235_000, 0.08, 6, 4.4, 5, 3.7, 0.031, 0.0232),
                new PaperTable("ip2", 30_000, 0.09, 6, 4.4, 5, 4.3, 0.038, 0.0304),
                new PaperTable("ip3", 1_000, 0.26, 6, 4.3, 5, 3.2, 0.157, 0.1270),
                new PaperTable("total", 266_000, 0.08, 6, 5.1, 5, 3.7, 0.031, 0.0249));
    }

    /** Table 2: Caffe LeNet-5, 39x (error 0.80 % -> 0.74 %). */
    public static List<PaperTable> lenet5() {
        return List.of(
                new PaperTable("conv1", 500, 0.66, 8, 7.2, 5, 1.5, 0.785, 0.6745),
                new PaperTable("conv2", 25_000, 0.12, 8, 7.2, 5, 3.9, 0.060, 0.0528),
                new PaperTable("ip1", 400_000, 0.08, 5, 4.5, 5, 4.5, 0.027, 0.0245),
                new PaperTable("ip2", 5_000, 0.19, 5, 5.2, 5, 3.7, 0.069, 0.0613),
                new PaperTable("total", 431_000, 0.08, 5.3, 4.1, 5, 4.4, 0.0305, 0.0255));
    }
}
