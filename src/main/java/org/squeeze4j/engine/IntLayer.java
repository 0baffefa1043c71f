package org.squeeze4j.engine;

/**
 * One step of the integer engine: uint8 codes of one activation tensor in, uint8 codes of the next
 * out, for {@code m} samples at a time (sample-major, each sample in C order: {@code [c][h][w]} or
 * {@code [features]}). Layers are immutable and thread-safe; scratch memory comes from the caller's
 * {@link Workspace}.
 */
public sealed interface IntLayer permits WeightedLayer, IntMaxPool2d {
    /** Codes per input sample. */
    int inputLength();

    /** Codes per output sample. */
    int outputLength();

    /** Runs {@code m} samples: {@code in[0 .. m*inputLength)} to {@code out[0 .. m*outputLength)}. */
    void forward(byte[] in, int m, byte[] out, Int8Kernel kernel, Workspace ws);

    /** Int32 scratch per sample this layer needs (accumulators). */
    int accumulatorLength();

    /** Byte scratch per sample this layer needs (im2col patches). */
    int patchLength();

    /** Multiply-adds per sample (0 for layers without weights). */
    long macsPerSample();

    /** One line for reports, e.g. "dense 784->300 relu". */
    String describe();
}
