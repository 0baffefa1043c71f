package org.squeeze4j.quant.qat;

import java.util.Objects;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.common.primitives.Pair;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Range;

/**
 * A fake-quantized activation: {@code y = fq(f(x))} (or {@code y = f(fq(x))} with
 * {@code quantizeInput}, used to quantize the logits before softmax), where {@code f} is the
 * wrapped activation and {@code fq} fake-quantizes onto the unsigned affine {@code b}-bit grid
 * the integer engine uses for activations (uint8 at 8 bits):
 * <pre>
 *   s, z = QParams.fromRange(affine(b, unsigned), [min, max])   (s rounded to float32)
 *   fq(a) = s (clip(rint(a / s) + z, 0, 2^b - 1) - z)
 *   dL/da := dL/dy  if  s (0 - z) &lt;= a &lt;= s (2^b - 1 - z),  else 0      (clipped STE)
 * </pre>
 * The clipped straight-through estimator passes the gradient through the rounding and stops it
 * where the value was clipped (Jacob et al. 2018, section 3; Krishnamoorthi 2018, section 3.1).
 *
 * <p><b>Range tracking</b> (torch.ao's {@code FakeQuantize} with a moving-average observer):
 * during training forward passes, while observing, the range follows an exponential moving
 * average of the batch extremes ({@code min += c (min(a) - min)}, first batch sets it), like
 * {@link org.squeeze4j.quant.observe.MovingAverageMinMaxObserver}. After {@code freezeAfter}
 * observed steps the observer freezes (Jacob et al. 2018 freeze ranges late in training). Both
 * observation and fake quantization can be switched off ({@link QatControl}). Inference
 * ({@code training = false}) never updates the range.
 *
 * <p><b>State lives in the configuration.</b> DL4J activations are configuration objects; the
 * observed range and step count are fields here, so they are saved with the network's JSON by
 * {@code ModelSerializer} and a reloaded network computes the same outputs. Equality includes the
 * state. Each layer must have its own instance ({@link QatPreparation} makes one per layer).
 */
public final class FakeQuantActivation extends BaseActivationFunction {
    @JsonProperty private IActivation base = new ActivationIdentity();
    @JsonProperty private int bits = 8;
    @JsonProperty private boolean quantizeInput;
    @JsonProperty private double averagingConstant = 0.01;
    @JsonProperty private long freezeAfter = -1;
    @JsonProperty private boolean observing = true;
    @JsonProperty private boolean fakeQuant = true;
    @JsonProperty private boolean rounding = true;
    @JsonProperty private long steps;
    @JsonProperty private double min;
    @JsonProperty private double max;
    @JsonProperty private String layerName;

    /** For JSON: identity, 8 bits. */
    public FakeQuantActivation() {
    }

    /**
     * @param base the activation to wrap (ReLU, identity, softmax, ...)
     * @param bits 1..8, unsigned affine grid
     * @param quantizeInput quantize the input of {@code base} (logits before softmax) instead of its output
     * @param averagingConstant EMA constant in (0, 1]
     * @param freezeAfter observed training steps after which the range freezes; -1 never
     */
    public FakeQuantActivation(IActivation base, int bits, boolean quantizeInput, double averagingConstant, long freezeAfter) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("activation bits must be 1..8 (the engine's activations are uint8), got " + bits);
        }
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("averaging constant must be in (0, 1], got " + averagingConstant);
        }
        if (freezeAfter < -1) {
            throw new IllegalArgumentException("freezeAfter must be -1 (never) or a step count >= 0, got " + freezeAfter);
        }
        this.base = Objects.requireNonNull(base, "base activation");
        this.bits = bits;
        this.quantizeInput = quantizeInput;
        this.averagingConstant = averagingConstant;
        this.freezeAfter = freezeAfter;
    }

    /** Names the layer in error messages (set by {@link QatPreparation}). */
    public FakeQuantActivation named(String name) {
        this.layerName = name;
        return this;
    }

    public IActivation base() {
        return base;
    }

    public int bits() {
        return bits;
    }

    public boolean quantizeInput() {
        return quantizeInput;
    }

    /** The unsigned affine grid, {@code affine(bits, false)}. */
    public QuantSpec spec() {
        return QuantSpec.affine(bits, false);
    }

    /** Training steps observed so far. */
    public long steps() {
        return steps;
    }

    public boolean isObserving() {
        return observing && !frozen();
    }

    /** True once {@code freezeAfter} steps have been observed. */
    public boolean frozen() {
        return freezeAfter >= 0 && steps >= freezeAfter;
    }

    public boolean isFakeQuantEnabled() {
        return fakeQuant;
    }

    /** torch.ao's enable/disable_observer. */
    public void setObserving(boolean on) {
        this.observing = on;
    }

    /** torch.ao's enable/disable_fake_quant. */
    public void setFakeQuant(boolean on) {
        this.fakeQuant = on;
    }

    /**
     * With rounding off, fake quantization only clips to the grid's range {@code [s(0-z), s(qmax-z)]}:
     * the STE surrogate {@code rint(u) -> u}, whose exact derivative is the clipped STE. Used for
     * numerical gradient checks and to separate clipping error from rounding error.
     */
    public void setRounding(boolean on) {
        this.rounding = on;
    }

    public boolean isRounding() {
        return rounding;
    }

    /** Freezes the range now (no more observation); the range must have been observed. */
    public void freeze() {
        requireObserved();
        this.freezeAfter = steps;
    }

    /** Sets the range directly (e.g. from a calibration observer) and counts it as one observed step. */
    public void setRange(Range r) {
        this.min = r.min();
        this.max = r.max();
        if (steps == 0) {
            steps = 1;
        }
    }

    /** The tracked range; throws naming the layer if nothing was observed. */
    public Range range() {
        requireObserved();
        return new Range(min, max);
    }

    /** Scale (a float32 value) and zero point of the current range, as the engine will use them. */
    public QParams qparams() {
        QParams q = QParams.fromRange(spec(), range());
        return QParams.perTensor((float) q.scale(), q.zeroPoint());
    }

    private void requireObserved() {
        if (steps == 0) {
            throw new IllegalStateException("fake-quant activation" + (layerName == null ? "" : " of layer " + layerName)
                    + " has no range: its observer saw no data (run training or QatControl.calibrate first)"
                    + (freezeAfter == 0 ? "; it was frozen after 0 steps, so it can never observe" : ""));
        }
    }

    private void observe(INDArray a) {
        track(a.minNumber().doubleValue(), a.maxNumber().doubleValue());
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        if (quantizeInput) {
            quantize(in, training);
            return base.getActivation(in, training);
        }
        INDArray a = base.getActivation(in, training);
        quantize(a, training);
        return a;
    }

    private void quantize(INDArray a, boolean training) {
        boolean observe = training && isObserving();
        if (fakeQuant && rounding && fusable(a)) {
            fused(a, observe);
            return;
        }
        if (observe) {
            observe(a);
        }
        if (fakeQuant) {
            QParams q = qparams();
            if (rounding) {
                FakeQuant.perTensorInPlace(a, q.scale(), q.zeroPoint(), 0, spec().qmax());
            } else {
                FakeQuant.clipInPlace(a, q.scale() * (0 - q.zeroPoint()), q.scale() * (spec().qmax() - q.zeroPoint()));
            }
        }
    }

    /** A dense array that owns its whole buffer, so one Java pass can read and write it. */
    private static boolean fusable(INDArray a) {
        return (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE) && !a.isView() && a.offset() == 0
                && a.data().length() == a.length();
    }

    /**
     * Observation (min, max) and fake quantization in one pass over the buffer ({@link QuantLoops}
     * for float32, a plain loop for float64) instead of two reductions and six ND4J ops: on two
     * shared cores the per-op overhead dominated the cost of QAT. Same arithmetic as
     * {@link FakeQuant#perTensorInPlace} in double precision.
     */
    private void fused(INDArray a, boolean observe) {
        if (a.dataType() == DataType.FLOAT) {
            int n = (int) a.length();
            float[] f = FakeQuant.readScratch(a, 0);
            if (observe) {
                double[] loHi = new double[2];
                QuantLoops.best().minMax(f, n, loHi);
                track(loHi[0], loHi[1]);
            }
            QParams q = qparams();
            QuantLoops.best().affine(f, n, q.scale(), q.zeroPoint(), spec().qmax());
            FakeQuant.write(a, f);
            return;
        }
        double[] d = FakeQuant.readDouble(a);
        if (observe) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double v : d) {
                lo = v < lo ? v : lo;             // comparisons, not Math.min/max (slow on the hot path); a NaN
                hi = v > hi ? v : hi;             // activation still comes out of the quantizer as NaN
            }
            track(lo, hi);
        }
        QParams q = qparams();
        double s = q.scale();
        double z = q.zeroPoint();
        int qmax = spec().qmax();
        for (int i = 0; i < d.length; i++) {
            double c = d[i] / s + z;
            c = c <= 0 ? 0 : c > qmax ? qmax : c;     // clip then round (integer bounds): no Math.max/min on the hot path
            d[i] = (Math.rint(c) - z) * s;
        }
        FakeQuant.write(a, d);
    }

    /** One observed batch with extremes {@code lo, hi}: the first sets the range, later ones move it by the EMA. */
    private void track(double lo, double hi) {
        if (steps == 0) {
            min = lo;
            max = hi;
        } else {
            min += averagingConstant * (lo - min);
            max += averagingConstant * (hi - max);
        }
        steps++;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        if (!fakeQuant) {
            return base.backprop(in, epsilon);
        }
        QParams q = qparams();
        double lo = q.scale() * (0 - q.zeroPoint());
        double hi = q.scale() * (spec().qmax() - q.zeroPoint());
        if (quantizeInput) {
            INDArray mask = inside(in, lo, hi);
            Pair<INDArray, INDArray> g = base.backprop(fqCopy(in, q), epsilon);
            g.getFirst().muli(mask);
            return g;
        }
        boolean relu = base instanceof ActivationReLU;
        if ((relu || base instanceof ActivationIdentity) && fusable(in) && fusable(epsilon) && in.ordering() == epsilon.ordering()
                && java.util.Arrays.equals(in.shape(), epsilon.shape()) && in.dataType() == epsilon.dataType()) {
            return new Pair<>(fusedBackprop(in, epsilon, relu ? Math.max(lo, 0) : lo, hi, relu), null);
        }
        INDArray mask;
        if (relu) {
            mask = in.lte(hi).castTo(in.dataType());            // ReLU's own derivative zeroes x <= 0, and lo <= 0
        } else if (base instanceof ActivationIdentity) {
            mask = inside(in, lo, hi);
        } else {
            mask = inside(base.getActivation(in.dup(), true), lo, hi);
        }
        Pair<INDArray, INDArray> g = base.backprop(in, epsilon);
        g.getFirst().muli(mask);
        return g;
    }

    /**
     * {@code dL/dx = eps * 1{lo <= f(x) <= hi}} for f = ReLU (also 0 where x <= 0) or identity, in
     * one pass (ReLU's derivative at exactly 0 is 0, as DL4J's). Like DL4J's own activations the
     * result is written into {@code in}, which DL4J hands over for that (a fresh pre-activation or a copy).
     */
    private static INDArray fusedBackprop(INDArray in, INDArray eps, double lo, double hi, boolean relu) {
        if (in.dataType() == DataType.FLOAT) {
            float[] e = FakeQuant.readScratch(eps, 0);
            QuantLoops.best().passMask(FakeQuant.readScratch(in, 1), e, (int) in.length(), lo, hi, relu);
            FakeQuant.write(in, e);
        } else {
            double[] x = FakeQuant.readDouble(in);
            double[] e = FakeQuant.readDouble(eps);
            for (int i = 0; i < x.length; i++) {
                boolean pass = relu ? x[i] > 0 && x[i] <= hi : x[i] >= lo && x[i] <= hi;
                e[i] = pass ? e[i] : 0.0;
            }
            FakeQuant.write(in, e);
        }
        return in;
    }

    private INDArray fqCopy(INDArray x, QParams q) {
        if (!rounding) {
            return FakeQuant.clipInPlace(x.dup(), q.scale() * (0 - q.zeroPoint()), q.scale() * (spec().qmax() - q.zeroPoint()));
        }
        return FakeQuant.perTensorInPlace(x.dup(), q.scale(), q.zeroPoint(), 0, spec().qmax());
    }

    /** 1 where {@code lo <= a <= hi}, else 0, in a's data type. */
    private static INDArray inside(INDArray a, double lo, double hi) {
        return a.gte(lo).castTo(a.dataType()).muli(a.lte(hi).castTo(a.dataType()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeQuantActivation f && base.equals(f.base) && bits == f.bits && quantizeInput == f.quantizeInput
                && averagingConstant == f.averagingConstant && freezeAfter == f.freezeAfter && observing == f.observing
                && fakeQuant == f.fakeQuant && rounding == f.rounding && steps == f.steps && min == f.min && max == f.max
                && Objects.equals(layerName, f.layerName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, bits, quantizeInput, averagingConstant, freezeAfter, observing, fakeQuant, rounding, steps, min, max, layerName);
    }

    @Override
    public String toString() {
        return "FakeQuant(" + base + ", uint" + bits + (quantizeInput ? " on input" : "")
                + (steps == 0 ? ", no range yet" : String.format(java.util.Locale.ROOT, ", [%.4g, %.4g] after %d steps", min, max, steps))
                + (frozen() ? ", frozen" : "") + ")";
    }
}
