package org.squeeze4j.engine;

/**
 * A fully connected layer {@code y = act(x W + b)} in integers (see {@link WeightedLayer} for the
 * arithmetic): {@code nIn} uint8 codes in, {@code nOut} uint8 codes out per sample; the weights
 * are the transpose of DL4J's {@code [nIn, nOut]}, i.e. {@code [nOut][nIn]}.
 */
public final class IntDense extends WeightedLayer {
    /** A layer with uint8 output codes (upper clamp {@code hi = 255}). */
    public IntDense(int nIn, int nOut, byte[] weights, int[] bias, double inScale, int inZeroPoint,
                    double[] weightScales, double outScale, int outZeroPoint, boolean relu) {
        this(nIn, nOut, weights, bias, inScale, inZeroPoint, weightScales, outScale, outZeroPoint, relu, 255);
    }

    /** A layer whose output codes are clamped to {@code [relu ? Z_out : 0, hi]}, {@code Z_out <= hi <= 255}. */
    public IntDense(int nIn, int nOut, byte[] weights, int[] bias, double inScale, int inZeroPoint,
                    double[] weightScales, double outScale, int outZeroPoint, boolean relu, int hi) {
        super(nOut, nIn, weights, bias, inScale, inZeroPoint, weightScales, outScale, outZeroPoint, relu, hi);
    }

    @Override
    public int inputLength() {
        return depth;
    }

    @Override
    public int outputLength() {
        return outChannels;
    }

    @Override
    public int accumulatorLength() {
        return outChannels;
    }

    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] in = inputs[0];
        int[] acc = ws.acc;
        kernel.matmul(in, m, depth, weights, outChannels, acc);
        for (int i = 0; i < m; i++) {
            requantize(acc, i * outChannels, out, i * outChannels, 1);
        }
    }

    @Override
    public long macsPerSample() {
        return (long) depth * outChannels;
    }

    @Override
    public String describe() {
        return "dense " + depth + "->" + outChannels + clampDescription();
    }
}
