package org.squeeze4j.engine;

import java.util.List;

/**
 * Runs an {@link IntModel} with buffers allocated once: the uint8 input codes, one uint8 buffer per
 * layer output, int32 accumulators and im2col patches, all sized for {@code maxBatch} samples. A
 * call does no allocation and no ND4J work, which is what makes batch-1 inference cheap. Not
 * thread-safe: use one runner per thread.
 */
public final class IntRunner {
    private final IntModel model;
    private final int maxBatch;
    private final Int8Kernel kernel;
    private final List<IntLayer> layers;
    private final byte[] input;
    private final byte[][] activations;
    private final float[] logits;
    private final Workspace ws;
    private final double inScale;
    private final int inZero;
    private final double outScale;
    private final int outZero;

    IntRunner(IntModel model, int maxBatch, Int8Kernel kernel) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        if (kernel == null) {
            throw new IllegalArgumentException("kernel must not be null; use Kernels.best() or Kernels.scalar()");
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.kernel = kernel;
        this.layers = model.layers();
        this.input = new byte[maxBatch * model.inputLength()];
        this.activations = new byte[layers.size()][];
        int acc = 0;
        int patches = 0;
        for (int i = 0; i < layers.size(); i++) {
            IntLayer l = layers.get(i);
            activations[i] = new byte[maxBatch * l.outputLength()];
            // convolutions run sample by sample; dense layers on the whole batch
            acc = Math.max(acc, l instanceof IntConv2d ? l.accumulatorLength() : maxBatch * l.accumulatorLength());
            patches = Math.max(patches, l.patchLength());
        }
        this.ws = new Workspace(acc, patches);
        this.logits = new float[maxBatch * model.outputLength()];
        this.inScale = model.inScale();
        this.inZero = model.inZeroPoint();
        this.outScale = model.outScale();
        this.outZero = model.outZeroPoint();
    }

    public int maxBatch() {
        return maxBatch;
    }

    public Int8Kernel kernel() {
        return kernel;
    }

    /**
     * Quantizes {@code m} samples {@code x[0 .. m*inputLength)} into the runner's input buffer,
     * {@code clamp(rint(x / s + Z), 0, 255)} in float64 (as {@code quant.Quantizer}), and returns
     * that buffer. NaN or infinite inputs are rejected with their position.
     */
    public byte[] quantize(float[] x, int m) {
        int n = model.inputLength();
        checkBatch(x == null ? -1 : x.length, m, n, "input values");
        int len = m * n;
        for (int i = 0; i < len; i++) {
            float v = x[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("input contains " + v + " at sample " + (i / n) + ", feature " + (i % n)
                        + "; the integer engine needs finite inputs (check the data pipeline)");
            }
            double q = Math.rint((double) v / inScale + inZero);
            input[i] = (byte) (q < 0 ? 0 : (q > 255 ? 255 : q));
        }
        return input;
    }

    /** Runs {@code m} samples of input codes through every layer and returns the output codes buffer (uint8). */
    public byte[] runCodes(byte[] codes, int m) {
        checkBatch(codes == null ? -1 : codes.length, m, model.inputLength(), "input codes");
        byte[] in = codes;
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forward(in, m, activations[i], kernel, ws);
            in = activations[i];
        }
        return in;
    }

    /**
     * Float in, float out: quantize once, run in integers, dequantize the logits once
     * ({@code s_out (q - Z_out)}). Returns the runner's logits buffer ({@code m * outputLength} values used).
     */
    public float[] output(float[] x, int m) {
        byte[] q = runCodes(quantize(x, m), m);
        int len = m * model.outputLength();
        for (int i = 0; i < len; i++) {
            logits[i] = (float) (outScale * ((q[i] & 0xFF) - outZero));
        }
        return logits;
    }

    /** A copy of layer {@code i}'s output codes from the last run (first {@code m} samples). */
    public int[] layerCodes(int i, int m) {
        int len = m * layers.get(i).outputLength();
        int[] out = new int[len];
        for (int j = 0; j < len; j++) {
            out[j] = activations[i][j] & 0xFF;
        }
        return out;
    }

    private void checkBatch(int length, int m, int perSample, String what) {
        if (length < 0) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (m <= 0 || m > maxBatch) {
            throw new IllegalArgumentException("batch size must be in [1, " + maxBatch + "] for this runner, got " + m
                    + "; create a runner with model.runner(" + Math.max(m, 1) + ")");
        }
        if (length < (long) m * perSample) {
            throw new IllegalArgumentException("expected " + perSample + " " + what + " per sample (" + (long) m * perSample
                    + " for " + m + " samples), got an array of " + length);
        }
    }
}
