package org.squeeze4j.engine;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An integer-only network (Jacob et al. 2018): a chain of {@link IntLayer}s on uint8 activation codes
 * with int8 weights and int32 accumulators. Floating point appears only at the two boundaries:
 * <pre>
 *   input:  q_in  = clamp(rint(x / s_in + Z_in), 0, 255)      (once, in float64, as quant.Quantizer)
 *   output: logit = s_out (q_out - Z_out)                      (once)
 * </pre>
 * Activations are uint8 with zero points (the paper's choice): ReLU outputs use the whole [0, 255]
 * range with {@code Z = 0}, and the uint8 x int8 products fit int16, which the vector kernel uses.
 *
 * <p>The model is immutable and thread-safe; inference runs in an {@link IntRunner}, which owns
 * preallocated buffers (one per thread). Build one with {@link IntModelBuilder}, save and load it
 * with {@link IntModelFile}.
 */
public final class IntModel {
    /** Threads of the whole-dataset helpers ({@link #output}, {@link #outputCodes}, {@link #predict}). */
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final int[] inputShape;
    private final double inScale;
    private final int inZeroPoint;
    private final List<IntLayer> layers;

    /**
     * @param inputShape per-sample input shape, {@code [features]} or {@code [channels, height, width]}
     * @param inScale input scale (a float32 value)
     * @param inZeroPoint input zero point in [0, 255]
     * @param layers the layers; the first takes the input, each next one the previous output, the last must be weighted
     */
    public IntModel(int[] inputShape, double inScale, int inZeroPoint, List<IntLayer> layers) {
        if (inputShape == null || (inputShape.length != 1 && inputShape.length != 3)) {
            throw new IllegalArgumentException("input shape must be [features] or [channels, height, width]");
        }
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("an integer model needs at least one layer");
        }
        if (!(inScale > 0) || (double) (float) inScale != inScale) {
            throw new IllegalArgumentException("input scale must be a positive float32 value, got " + inScale);
        }
        if (inZeroPoint < 0 || inZeroPoint > 255) {
            throw new IllegalArgumentException("input zero point must be in [0, 255], got " + inZeroPoint);
        }
        int len = 1;
        for (int d : inputShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("input shape dimensions must be positive");
            }
            len *= d;
        }
        double s = inScale;
        int z = inZeroPoint;
        for (int i = 0; i < layers.size(); i++) {
            IntLayer l = layers.get(i);
            if (l.inputLength() != len) {
                throw new IllegalArgumentException("layer " + i + " (" + l.describe() + ") takes " + l.inputLength()
                        + " codes but the previous layer gives " + len);
            }
            if (l instanceof WeightedLayer w) {
                if (w.inScale != s || w.inZeroPoint != z) {
                    throw new IllegalArgumentException("layer " + i + " (" + l.describe() + ") expects input scale/zero point "
                            + w.inScale + "/" + w.inZeroPoint + " but the previous layer gives " + s + "/" + z);
                }
                s = w.outScale;
                z = w.outZeroPoint;
            }
            len = l.outputLength();
        }
        if (!(layers.get(layers.size() - 1) instanceof WeightedLayer)) {
            throw new IllegalArgumentException("the last layer must be dense or convolution (it defines the output scale)");
        }
        this.inputShape = inputShape.clone();
        this.inScale = inScale;
        this.inZeroPoint = inZeroPoint;
        this.layers = List.copyOf(layers);
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
        return last().outScale;
    }

    /** Zero point of the output codes. */
    public int outZeroPoint() {
        return last().outZeroPoint;
    }

    public List<IntLayer> layers() {
        return layers;
    }

    private WeightedLayer last() {
        return (WeightedLayer) layers.get(layers.size() - 1);
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
            if (!a.describe().equals(b.describe())) {
                return false;
            }
            if (a instanceof WeightedLayer wa && !wa.sameParameters((WeightedLayer) b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("IntModel[input " + java.util.Arrays.toString(inputShape) + " scale " + inScale
                + " zp " + inZeroPoint);
        for (IntLayer l : layers) {
            sb.append("; ").append(l.describe());
        }
        return sb.append("]").toString();
    }
}
