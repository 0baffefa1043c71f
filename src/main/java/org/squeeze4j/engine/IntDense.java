package org.squeeze4j.engine;

/**
 * A fully connected layer {@code y = act(x W + b)} in integers (see {@link WeightedLayer} for the
 * arithmetic): {@code nIn} uint8 codes in, {@code nOut} uint8 codes out per sample; the weights
 * are the transpose of DL4J's {@code [nIn, nOut]}, i.e. {@code [nOut][nIn]}.
 */
public final class IntDense extends WeightedLayer {
    public IntDense(int nIn, int nOut, byte[] weights, int[] bias, double inScale, int inZeroPoint,
                    double[] weightScales, double outScale, int outZeroPoint, boolean relu) {
        super(nOut, nIn, weights, bias, inScale, inZeroPoint, weightScales, outScale, outZeroPoint, relu);
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
    public void forward(byte[] in, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        int[] acc = ws.acc;
        kernel.matmul(in, m, depth, weights, outChannels, acc);
        for (int i = 0; i < m; i++) {
            int base = i * outChannels;
            for (int o = 0; o < outChannels; o++) {
                out[base + o] = (byte) requantize(acc[base + o], o);
            }
        }
    }

    @Override
    public String describe() {
        return "dense " + depth + "->" + outChannels + (relu ? " relu" : "");
    }
}
