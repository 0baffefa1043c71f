package org.squeeze4j.quant.qat;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The few ND4J ops that fake quantization costs in the training loop, in place where the array
 * is ours to overwrite:
 * <pre>
 *   x_hat = s (clip(rint(x / s) + z, qmin, qmax) - z)          (per tensor, 4-6 ops)
 *   W_hat[:, o] = s_o clip(rint(W[:, o] / s_o), -qmax, qmax)   (per output column, 4 ops)
 * </pre>
 * Unlike {@link org.squeeze4j.quant.Quantizer#fakeQuantize}, which works in float64 with full
 * input checks (the reference), these run in the network's own data type and do not check for
 * NaN: they sit on the hot path of every training step (the budget is 1.5x a float epoch).
 * The scales they receive are float32 values, so the grid is exactly the one the integer engine
 * stores.
 */
public final class FakeQuant {
    private FakeQuant() {
    }

    /** In place: {@code x = s (clip(rint(x/s + z), qmin, qmax) - z)}; returns x. */
    public static INDArray perTensorInPlace(INDArray x, double s, int z, int qmin, int qmax) {
        x.divi(s);
        if (z != 0) {
            x.addi(z);
        }
        Nd4j.exec(new Rint(x, x));
        clipInPlace(x, qmin, qmax);
        if (z != 0) {
            x.subi(z);
        }
        return x.muli(s);
    }

    /**
     * Symmetric per-column fake quantization of a dense weight {@code [nIn, nOut]} (or per-row of
     * a 2-d view of a convolution weight {@code [out, rest]} when {@code axis == 0}) with column
     * scales {@code s} (a row or column vector in w's data type). Returns a new array.
     */
    public static INDArray perChannel(INDArray w, INDArray s, int axis, int qmax) {
        INDArray x = codes(w, s, axis, qmax);
        return axis == 1 ? x.muliRowVector(s) : x.muliColumnVector(s);
    }

    /** The integer codes {@code clip(rint(w / s), -qmax, qmax)} (in w's data type) behind {@link #perChannel}. */
    public static INDArray codes(INDArray w, INDArray s, int axis, int qmax) {
        INDArray x = w.dup(w.ordering());           // same-order copy: a memcpy, unlike divRowVector's strided result
        if (axis == 1) {
            x.diviRowVector(s);
        } else {
            x.diviColumnVector(s);
        }
        Nd4j.exec(new Rint(x, x));
        return clipInPlace(x, -qmax, qmax);
    }

    /** In place {@code x = min(max(x, lo), hi)}. */
    public static INDArray clipInPlace(INDArray x, double lo, double hi) {
        Transforms.max(x, lo, false);   // two scalar legacy ops: several times faster than the ClipByValue custom op
        return Transforms.min(x, hi, false);
    }

    /** The whole buffer of an array that owns it, by a bulk copy through NIO (DataBuffer.asFloat/setData copy element-wise). */
    static float[] read(INDArray x) {
        float[] f = new float[(int) x.length()];
        x.data().asNioFloat().get(f);
        return f;
    }

    /**
     * Per-thread scratch arrays, two slots, grown on demand: the training step reads about a
     * megabyte of activations and weights into Java arrays, and fresh arrays of that size cost more
     * to allocate and zero than the fake quantization itself.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /**
     * {@link #read(INDArray)} into this thread's scratch array {@code slot} (0 or 1), which may be
     * longer than x; valid until the next use of that slot on this thread.
     */
    static float[] readScratch(INDArray x, int slot) {
        float[] f = scratch(slot, (int) x.length());
        x.data().asNioFloat().get(f, 0, (int) x.length());
        return f;
    }

    /**
     * The values of {@code x} in {@code order} (every channel a contiguous block) in this thread's
     * scratch array {@code slot}: straight from the buffer when x is already laid out that way, as a
     * layer's weight view into the network's parameter vector is, else through a copy in that order.
     */
    static float[] readScratch(INDArray x, char order, int slot) {
        if (x.ordering() != order || !Shape.hasDefaultStridesForShape(x)) {
            return readScratch(x.dup(order), slot);
        }
        float[] f = scratch(slot, (int) x.length());
        x.data().asNioFloat().position((int) x.offset()).get(f, 0, (int) x.length());   // a view's buffer is its parent's
        return f;
    }

    private static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    /** The first {@code x.length()} values of {@code f} into x, an array that owns its whole buffer. */
    static void write(INDArray x, float[] f) {
        x.data().asNioFloat().put(f, 0, (int) x.length());
    }

    /** A new float32 array of {@code shape} in {@code order} holding the first values of {@code f} (Nd4j.create(float[]) is 10x slower). */
    static INDArray create(float[] f, long[] shape, char order) {
        INDArray x = Nd4j.createUninitialized(DataType.FLOAT, shape, order);
        write(x, f);
        return x;
    }

    static double[] readDouble(INDArray x) {
        double[] d = new double[(int) x.length()];
        x.data().asNioDouble().get(d);
        return d;
    }

    static void write(INDArray x, double[] d) {
        x.data().asNioDouble().put(d);
    }

    /** Rounds every element to the nearest float32 value (a no-op copy for FLOAT arrays). */
    static INDArray toFloat32Values(INDArray x) {
        if (x.dataType() == DataType.FLOAT) {
            return x;
        }
        return x.castTo(DataType.FLOAT).castTo(x.dataType());
    }
}
