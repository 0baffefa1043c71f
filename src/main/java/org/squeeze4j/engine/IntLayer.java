package org.squeeze4j.engine;

/**
 * One step of the integer engine: uint8 codes of its input tensors in ({@link #arity()} of them:
 * one, or two for a residual add), uint8 codes of one tensor out, for {@code m} samples at a time
 * (sample-major, each sample in C order: {@code [c][h][w]} or {@code [features]}). Layers are
 * immutable and thread-safe; scratch memory comes from the caller's {@link Workspace}.
 */
public sealed interface IntLayer permits WeightedLayer, IntMaxPool2d, IntGlobalAvgPool, IntAdd {
    /** Codes per input sample (of each input). */
    int inputLength();

    /** Number of input tensors: 1, or 2 for {@link IntAdd}. */
    default int arity() {
        return 1;
    }

    /** Codes per output sample. */
    int outputLength();

    /**
     * Runs {@code m} samples: {@code in[j][0 .. m*inputLength)} for each input {@code j < arity()} to
     * {@code out[0 .. m*outputLength)}.
     */
    void forward(byte[][] in, int m, byte[] out, Int8Kernel kernel, Workspace ws);

    /** Int32 scratch per sample this layer needs (accumulators). */
    int accumulatorLength();

    /** Byte scratch per sample this layer needs (im2col patches). */
    int patchLength();

    /** Multiply-adds per sample (0 for layers without weights). */
    long macsPerSample();

    /** One line for reports, e.g. "dense 784->300 relu". */
    String describe();
}
