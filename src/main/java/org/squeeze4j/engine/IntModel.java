package org.squeeze4j.engine;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An integer-only network (Jacob et al. 2018): a chain, or a graph with residual adds, of
 * {@link IntLayer}s on uint8 activation codes with int8 weights and int32 accumulators. Floating point appears only at the two boundaries:
 * <pre>
 *   input:  q_in  = clamp(rint(x / s_in + Z_in), 0, 255)      (once, in float64, as quant.Quantizer)
 *   output: logit = s_out (q_out - Z_out)                      (once)
 * </pre>
 * Activations are uint8 with zero points (the paper's choice): ReLU outputs use the whole [0, 255]
 * range with {@code Z = 0}, and the uint8 x int8 products fit int16, which the vector kernel uses.
 *
 * <p>The model is immutable and thread-safe; inference runs in an {@link IntRunner}, which owns
 * preallocated buffers (one per thread). Build one with {@code org.squeeze4j.lower.IntModelBuilder}
 * (or {@code lower.QatConversion}), save and load it with {@link IntModelFile}.
 */
public final class IntModel {
    /** Threads of the whole-dataset helpers ({@link #output}, {@link #outputCodes}, {@link #predict}). */
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final int[] inputShape;
    private final double inScale;
    private final int inZeroPoint;
    private final List<IntLayer> layers;
    private final List<int[]> inputs;
    private final double outScale;
    private final int outZeroPoint;

    /**
     * A chain: the first layer takes the input, each next one the previous output.
     *
     * @param inputShape per-sample input shape, {@code [features]} or {@code [channels, height, width]}
     * @param inScale input scale (a float32 value)
     * @param inZeroPoint input zero point in [0, 255]
     * @param layers the layers; the last must be weighted
     */
    public IntModel(int[] inputShape, double inScale, int inZeroPoint, List<IntLayer> layers) {
        this(inputShape, inScale, inZeroPoint, layers, chain(layers));
    }

    /**
     * A graph of layers in topological order. Tensor 0 is the network input and tensor {@code i + 1}
     * the output of layer {@code i}; {@code inputs.get(i)} lists the tensors layer {@code i} reads
     * (one, or two for an {@link IntAdd}), each produced before it. The output is the last layer's.
     * Every layer must expect the grid (scale, zero point) and length of the tensors it reads.
     */
    public IntModel(int[] inputShape, double inScale, int inZeroPoint, List<IntLayer> layers, List<int[]> inputs) {
        if (inputShape == null || (inputShape.length != 1 && inputShape.length != 3)) {
            throw new IllegalArgumentException("input shape must be [features] or [channels, height, width]");
        }
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("an integer model needs at least one layer");
        }
        if (inputs == null || inputs.size() != layers.size()) {
            throw new IllegalArgumentException("need the input tensors of each of the " + layers.size() + " layers, got "
                    + (inputs == null ? "none" : inputs.size()));
        }
        if (!(inScale > 0) || (double) (float) inScale != inScale) {
            throw new IllegalArgumentException("input scale must be a positive float32 value, got " + inScale);
        }
        if (inZeroPoint < 0 || inZeroPoint > 255) {
            throw new IllegalArgumentException("input zero point must be in [0, 255], got " + inZeroPoint);
        }
        long len = 1;
        for (int d : inputShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("input shape dimensions must be positive");
            }
            len *= d;
        }
        int n = layers.size();
        long[] length = new long[n + 1];
        double[] scale = new double[n + 1];
        int[] zero = new int[n + 1];
        length[0] = len;
        scale[0] = inScale;
        zero[0] = inZeroPoint;
        List<int[]> reads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            IntLayer l = layers.get(i);
            int[] in = inputs.get(i);
            String where = "layer " + i + " (" + l.describe() + ")";
            if (in == null || in.length != l.arity()) {
                throw new IllegalArgumentException(where + " reads " + l.arity() + " tensor(s), got "
                        + (in == null ? "none" : java.util.Arrays.toString(in)));
            }
            for (int j = 0; j < in.length; j++) {
                int t = in[j];
                if (t < 0 || t > i) {
                    throw new IllegalArgumentException(where + " reads tensor " + t + ", which is not produced before it"
                            + " (tensor 0 is the input, tensor k + 1 the output of layer k)");
                }
                if (l.inputLength() != length[t]) {
                    throw new IllegalArgumentException(where + " takes " + l.inputLength() + " codes but tensor " + t
                            + " has " + length[t]);
                }
                double[] expected = expectedInput(l, j);
                if (expected != null && (expected[0] != scale[t] || expected[1] != zero[t])) {
                    throw new IllegalArgumentException(where + " expects input " + j + " on scale/zero point " + expected[0]
                            + "/" + (int) expected[1] + " but tensor " + t + " has " + scale[t] + "/" + zero[t]);
                }
            }
            double[] grid = outputGrid(l);
            scale[i + 1] = grid == null ? scale[in[0]] : grid[0];
            zero[i + 1] = grid == null ? zero[in[0]] : (int) grid[1];
            length[i + 1] = l.outputLength();
            reads.add(in.clone());
        }
        if (!(layers.get(n - 1) instanceof WeightedLayer)) {
            throw new IllegalArgumentException("the last layer must be dense or convolution (it gives the logits)");
        }
        this.inputShape = inputShape.clone();
        this.inScale = inScale;
        this.inZeroPoint = inZeroPoint;
        this.layers = List.copyOf(layers);
        this.inputs = List.copyOf(reads);
        this.outScale = scale[n];
        this.outZeroPoint = zero[n];
    }

    private static List<int[]> chain(List<IntLayer> layers) {
        List<int[]> in = new ArrayList<>();
        for (int i = 0; layers != null && i < layers.size(); i++) {
            in.add(new int[] {i});
        }
        return in;
    }

    /** The grid {scale, zero point} a layer expects on input {@code j}, or null if it takes any (max pooling). */
    private static double[] expectedInput(IntLayer l, int j) {
        if (l instanceof WeightedLayer w) {
            return new double[] {w.inScale, w.inZeroPoint};
        }
        if (l instanceof IntGlobalAvgPool g) {
            return new double[] {g.inScale, g.inZeroPoint};
        }
        if (l instanceof IntAdd a) {
            return j == 0 ? new double[] {a.scaleA, a.zeroA} : new double[] {a.scaleB, a.zeroB};
        }
        return null;
    }

    /** The grid {scale, zero point} of a layer's output, or null when it keeps its input's (max pooling). */
    static double[] outputGrid(IntLayer l) {
        if (l instanceof WeightedLayer w) {
            return new double[] {w.outScale, w.outZeroPoint};
        }
        if (l instanceof IntGlobalAvgPool g) {
            return new double[] {g.outScale, g.outZeroPoint};
        }
        if (l instanceof IntAdd a) {
            return new double[] {a.outScale, a.outZeroPoint};
        }
        return null;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Values per input sample. */
    public int inputLength() {
        return layers.get(0).inputLength();
    }

    /** Values per output sample (logits). */
    public int outputLength() {
        return layers.get(layers.size() - 1).outputLength();
    }

    public double inScale() {
        return inScale;
    }

    public int inZeroPoint() {
        return inZeroPoint;
    }

    /** Scale of the output codes (the logits). */
    public double outScale() {
        return outScale;
    }

    /** Zero point of the output codes. */
    public int outZeroPoint() {
        return outZeroPoint;
    }

    public List<IntLayer> layers() {
        return layers;
    }

    /** The tensors layer {@code i} reads (0 is the input, {@code k + 1} the output of layer {@code k}); a copy. */
    public int[] inputsOf(int i) {
        return inputs.get(i).clone();
    }

    /** Whether every layer reads the one before it (the only shape format version 2 can store). */
    public boolean isChain() {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).length != 1 || inputs.get(i)[0] != i) {
                return false;
            }
        }
        return true;
    }

    /** Multiply-adds per sample, summed over the layers. */
    public long macsPerSample() {
        long macs = 0;
        for (IntLayer l : layers) {
            macs += l.macsPerSample();
        }
        return macs;
    }

    /** A single-threaded runner with buffers for up to {@code maxBatch} samples on the best available kernel. */
    public IntRunner runner(int maxBatch) {
        return new IntRunner(this, maxBatch, Kernels.best(), 1);
    }

    /** A single-threaded runner with buffers for up to {@code maxBatch} samples on the given kernel. */
    public IntRunner runner(int maxBatch, Int8Kernel kernel) {
        return new IntRunner(this, maxBatch, kernel, 1);
    }

    /**
     * A runner that splits batches of at least {@link IntRunner#MIN_PARALLEL_MACS} multiply-adds
     * into {@code threads} slices run in parallel (same results as one thread, see {@link IntRunner}).
     */
    public IntRunner runner(int maxBatch, Int8Kernel kernel, int threads) {
        return new IntRunner(this, maxBatch, kernel, threads);
    }

    /** Dequantized logits {@code [n, outputLength]} (FLOAT) for features {@code [n, inputLength]} (any shape with n rows). */
    public INDArray output(INDArray features) {
        float[][] x = rows(features);
        IntRunner r = runner(Math.min(x.length, 128), Kernels.best(), CORES);
        float[] out = new float[x.length * outputLength()];
        runInChunks(r, x, (from, m, buf) -> {
            float[] y = r.output(buf, m);
            System.arraycopy(y, 0, out, from * outputLength(), m * outputLength());
        });
        return Nd4j.create(out, new long[] {x.length, outputLength()}, 'c');
    }

    /** Output codes {@code [n][outputLength]} (uint8 as int) for features {@code [n, inputLength]}. */
    public int[][] outputCodes(INDArray features, Int8Kernel kernel) {
        float[][] x = rows(features);
        IntRunner r = runner(Math.min(x.length, 128), kernel, CORES);
        int[][] out = new int[x.length][];
        runInChunks(r, x, (from, m, buf) -> {
            byte[] q = r.quantize(buf, m);
            byte[] y = r.runCodes(q, m);
            for (int i = 0; i < m; i++) {
                out[from + i] = new int[outputLength()];
                for (int j = 0; j < outputLength(); j++) {
                    out[from + i][j] = y[i * outputLength() + j] & 0xFF;
                }
            }
        });
        return out;
    }

    /** The predicted class (argmax of the output codes, first on ties) of every row. */
    public int[] predict(INDArray features) {
        int[][] codes = outputCodes(features, Kernels.best());
        int[] p = new int[codes.length];
        for (int i = 0; i < p.length; i++) {
            int best = 0;
            for (int j = 1; j < codes[i].length; j++) {
                if (codes[i][j] > codes[i][best]) {
                    best = j;
                }
            }
            p[i] = best;
        }
        return p;
    }

    /** Exact size of this model in the {@link IntModelFile} format. */
    public long sizeInBytes() {
        return IntModelFile.sizeOf(this);
    }

    private interface Chunk {
        void run(int from, int m, float[] buf);
    }

    private void runInChunks(IntRunner r, float[][] x, Chunk chunk) {
        int n = inputLength();
        float[] buf = new float[r.maxBatch() * n];
        for (int from = 0; from < x.length; from += r.maxBatch()) {
            int m = Math.min(r.maxBatch(), x.length - from);
            for (int i = 0; i < m; i++) {
                System.arraycopy(x[from + i], 0, buf, i * n, n);
            }
            chunk.run(from, m, buf);
        }
    }

    private float[][] rows(INDArray features) {
        if (features == null) {
            throw new IllegalArgumentException("features must not be null");
        }
        long rows = features.rank() == 0 ? 0 : features.size(0);
        if (rows == 0 || features.length() != rows * inputLength()) {
            throw new IllegalArgumentException("expected features with " + inputLength() + " values per row (shape [n, "
                    + inputLength() + "] or [n, " + String.join(", ", shapeStrings()) + "]), got shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        INDArray f = features.castTo(DataType.FLOAT).reshape('c', rows, inputLength());
        float[][] out = new float[(int) rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = f.getRow(i).toFloatVector();
        }
        return out;
    }

    private List<String> shapeStrings() {
        List<String> s = new ArrayList<>();
        for (int d : inputShape) {
            s.add(Integer.toString(d));
        }
        return s;
    }

    /** True when both models have the same shapes, layers and parameters. */
    public boolean sameAs(IntModel o) {
        if (!java.util.Arrays.equals(inputShape, o.inputShape) || inScale != o.inScale || inZeroPoint != o.inZeroPoint
                || layers.size() != o.layers.size()) {
            return false;
        }
        for (int i = 0; i < layers.size(); i++) {
            IntLayer a = layers.get(i);
            IntLayer b = o.layers.get(i);
            if (!a.describe().equals(b.describe()) || !java.util.Arrays.equals(inputs.get(i), o.inputs.get(i))) {
                return false;
            }
            if (a instanceof WeightedLayer wa && !wa.sameParameters((WeightedLayer) b)
                    || a instanceof IntAdd aa && !aa.sameParameters((IntAdd) b)
                    || a instanceof IntGlobalAvgPool ga && !ga.sameParameters((IntGlobalAvgPool) b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("IntModel[input " + java.util.Arrays.toString(inputShape) + " scale " + inScale
                + " zp " + inZeroPoint);
        for (int i = 0; i < layers.size(); i++) {
            sb.append("; ").append(layers.get(i).describe());
            int[] in = inputs.get(i);
            if (in.length != 1 || in[0] != i) {
                sb.append(" <- ").append(java.util.Arrays.toString(in));
            }
        }
        return sb.append("]").toString();
    }
}
