package org.squeeze4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Runs an {@link IntModel} with buffers allocated once: the uint8 input codes, one uint8 buffer per
 * layer output, int32 accumulators and im2col patches, all sized for {@code maxBatch} samples. A
 * call on one thread does no allocation and no ND4J work, which is what makes batch-1 inference
 * cheap. Not thread-safe: use one runner per calling thread.
 *
 * <p><b>Threads.</b> Samples are independent, so a runner with {@code threads > 1} splits a large
 * batch into contiguous slices, one per <em>lane</em> (a lane owns its activation buffers and
 * {@link Workspace}), and runs every slice through all layers on its own thread: one hand-off per
 * call, no synchronisation between layers. The caller's thread runs the first slice; the others
 * run on {@link EngineThreads}. Batches under {@link #MIN_PARALLEL_MACS} multiply-adds stay on the
 * caller's thread, because waking a parked thread (tens of microseconds) would cost more than it
 * saves. Integer results do not depend on the split: the output is identical for any thread count.
 */
public final class IntRunner {
    /**
     * Smallest batch work, in multiply-adds, that is split across threads: 4 M MACs, about 100
     * microseconds of one core's vector kernel. (LeNet-300-100 has 266,200 MACs a sample, so batches
     * of 16 and more are split.)
     */
    public static final long MIN_PARALLEL_MACS = 1L << 22;

    private final IntModel model;
    private final int maxBatch;
    private final int threads;
    private final Int8Kernel kernel;
    private final List<IntLayer> layers;
    private final Lane[] lanes;
    private final byte[] outCodes;
    private final float[] logits;
    private final long macsPerSample;
    private final double inScale;
    private final int inZero;
    private final double outScale;
    private final int outZero;
    /** Slice boundaries of the last run: lane t ran samples {@code [cuts[t], cuts[t+1])}, t &lt; parts. */
    private final int[] cuts;
    /** Number of slices of the last run (0 before the first). */
    private int parts;

    IntRunner(IntModel model, int maxBatch, Int8Kernel kernel, int threads) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        if (kernel == null) {
            throw new IllegalArgumentException("kernel must not be null; use Kernels.best() or Kernels.scalar()");
        }
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads
                    + "; use 1, or Runtime.getRuntime().availableProcessors() for all cores");
        }
        long widest = model.inputLength();
        for (IntLayer l : model.layers()) {
            widest = Math.max(widest, Math.max(l.outputLength(), l instanceof IntDense ? l.accumulatorLength() : 0));
        }
        if ((long) maxBatch * widest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + maxBatch + " samples needs buffers of " + (long) maxBatch * widest
                    + " values, more than a Java array holds; at most " + (Integer.MAX_VALUE - 8) / widest
                    + " samples fit this model: run the data in batches of that size or fewer");
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.threads = Math.min(threads, maxBatch);
        this.kernel = kernel;
        this.layers = model.layers();
        this.macsPerSample = model.macsPerSample();
        this.lanes = new Lane[this.threads];
        this.cuts = new int[this.threads + 1];
        // lane 0 takes whole batches that are too small to split; the others at most an equal share
        int share = (maxBatch + this.threads - 1) / this.threads;
        for (int t = 0; t < this.threads; t++) {
            lanes[t] = new Lane(t, t == 0 ? maxBatch : share);
        }
        this.outCodes = new byte[maxBatch * model.outputLength()];
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

    /** Number of lanes (threads) a large batch is split into. */
    public int threads() {
        return threads;
    }

    /**
     * Quantizes {@code m} samples {@code x[0 .. m*inputLength)} into the runner's input buffer,
     * {@code clamp(rint(x / s + Z), 0, 255)} in float64 (as {@code quant.Quantizer}), and returns
     * that buffer. NaN or infinite inputs are rejected with their position.
     */
    public byte[] quantize(float[] x, int m) {
        checkBatch(x == null ? -1 : x.length, m, model.inputLength(), "input values");
        byte[] in = lanes[0].input;
        quantize(x, 0, m, in);
        return in;
    }

    /** Quantizes samples {@code [from, from + m)} of {@code x} into {@code dest[0 ..)}. */
    private void quantize(float[] x, int from, int m, byte[] dest) {
        int n = model.inputLength();
        int off = from * n;
        int len = m * n;
        for (int i = 0; i < len; i++) {
            float v = x[off + i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("input contains " + v + " at sample " + (from + i / n) + ", feature "
                        + (i % n) + "; the integer engine needs finite inputs (check the data pipeline)");
            }
            double q = Math.rint((double) v / inScale + inZero);
            dest[i] = (byte) (q < 0 ? 0 : (q > 255 ? 255 : q));
        }
    }

    /** Runs {@code m} samples of input codes through every layer and returns the output codes buffer (uint8). */
    public byte[] runCodes(byte[] codes, int m) {
        checkBatch(codes == null ? -1 : codes.length, m, model.inputLength(), "input codes");
        if (split(m) == 1) {
            return lanes[0].forward(codes, m);
        }
        int n = model.inputLength();
        int outLen = model.outputLength();
        runSlices((lane, from, count) -> {
            if (lane.index > 0) {
                System.arraycopy(codes, from * n, lane.input, 0, count * n);
            }
            byte[] y = lane.forward(lane.index == 0 ? codes : lane.input, count);
            System.arraycopy(y, 0, outCodes, from * outLen, count * outLen);
        });
        return outCodes;
    }

    /**
     * Float in, float out: quantize once, run in integers, dequantize the logits once
     * ({@code s_out (q - Z_out)}). Returns the runner's logits buffer ({@code m * outputLength} values used).
     */
    public float[] output(float[] x, int m) {
        checkBatch(x == null ? -1 : x.length, m, model.inputLength(), "input values");
        if (split(m) == 1) {
            outputSlice(x, lanes[0], 0, m); // the batch-1 path: no lambda, no allocation
        } else {
            runSlices((lane, from, count) -> outputSlice(x, lane, from, count));
        }
        return logits;
    }

    private void outputSlice(float[] x, Lane lane, int from, int count) {
        quantize(x, from, count, lane.input);
        byte[] q = lane.forward(lane.input, count);
        int outLen = model.outputLength();
        int base = from * outLen;
        for (int i = 0; i < count * outLen; i++) {
            logits[base + i] = (float) (outScale * ((q[i] & 0xFF) - outZero));
        }
    }

    /** A copy of layer {@code i}'s output codes from the last run (first {@code m} samples). */
    public int[] layerCodes(int i, int m) {
        int len = layers.get(i).outputLength();
        if (parts == 0) {
            throw new IllegalStateException("no run yet: call output or runCodes before layerCodes");
        }
        if (m <= 0 || m > cuts[parts]) {
            throw new IllegalArgumentException("the last run had " + cuts[parts] + " samples, asked for " + m);
        }
        int[] out = new int[m * len];
        for (int t = 0; t < parts; t++) {
            byte[] a = lanes[t].activations[i];
            for (int j = 0; j < (cuts[t + 1] - cuts[t]) * len && cuts[t] * len + j < out.length; j++) {
                out[cuts[t] * len + j] = a[j] & 0xFF;
            }
        }
        return out;
    }

    private interface Slice {
        void run(Lane lane, int from, int count);
    }

    /**
     * Chooses the slices for a batch of {@code m}: one when the batch is under
     * {@link #MIN_PARALLEL_MACS} or the runner has one thread, else one per thread; returns how many.
     */
    private int split(int m) {
        parts = m * macsPerSample >= MIN_PARALLEL_MACS ? Math.min(threads, m) : 1;
        for (int t = 0; t <= parts; t++) {
            cuts[t] = (int) ((long) m * t / parts);
        }
        return parts;
    }

    /** Runs the slices chosen by {@link #split}: the first on the caller's thread, the others on {@link EngineThreads}. */
    private void runSlices(Slice slice) {
        int[] c = cuts;
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int t = 1; t < parts; t++) {
            Lane lane = lanes[t];
            int from = c[t];
            int count = c[t + 1] - c[t];
            others.add(EngineThreads.submit(() -> slice.run(lane, from, count)));
        }
        RuntimeException first = null;
        try {
            slice.run(lanes[0], 0, c[1]);
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the engine's worker threads", e);
            }
        }
        if (first != null) {
            throw first;
        }
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

    /**
     * One slice's buffers: input codes, one buffer per layer output, scratch; sized for {@code capacity}
     * samples. {@code reads[i]} are the buffers layer {@code i} reads, fixed once, except that the
     * network input (tensor 0) is set at each call: it is the caller's array or the lane's.
     */
    private final class Lane {
        final int index;
        final byte[] input;
        final byte[][] activations;
        final byte[][][] reads;
        /** The (layer, input) slots that read the network input: {@code reads[inputLayer[k]][inputSlot[k]]}. */
        final int[] inputLayer;
        final int[] inputSlot;
        final Workspace ws;

        Lane(int index, int capacity) {
            this.index = index;
            this.input = new byte[capacity * model.inputLength()];
            this.activations = new byte[layers.size()][];
            this.reads = new byte[layers.size()][][];
            int acc = 0;
            int patches = 0;
            List<int[]> slots = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                IntLayer l = layers.get(i);
                activations[i] = new byte[capacity * l.outputLength()];
                // dense layers run on the whole slice; convolutions sample by sample
                acc = Math.max(acc, l instanceof IntDense ? capacity * l.accumulatorLength() : l.accumulatorLength());
                patches = Math.max(patches, l.patchLength());
                int[] in = model.inputsOf(i);
                reads[i] = new byte[in.length][];
                for (int j = 0; j < in.length; j++) {
                    reads[i][j] = in[j] == 0 ? null : activations[in[j] - 1];
                    if (in[j] == 0) {
                        slots.add(new int[] {i, j});
                    }
                }
            }
            this.inputLayer = slots.stream().mapToInt(v -> v[0]).toArray();
            this.inputSlot = slots.stream().mapToInt(v -> v[1]).toArray();
            this.ws = new Workspace(acc, patches);
        }

        /** Runs {@code m} samples of {@code codes} through every layer; returns the last layer's codes. */
        byte[] forward(byte[] codes, int m) {
            for (int k = 0; k < inputLayer.length; k++) {
                reads[inputLayer[k]][inputSlot[k]] = codes;
            }
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).forward(reads[i], m, activations[i], kernel, ws);
            }
            return activations[layers.size() - 1];
        }
    }
}
