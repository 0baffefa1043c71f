package org.squeeze4j.quant.observe;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Range;

/**
 * Owns calibration state, as torch.ao.quantization's observers do: call {@link #observe} on every
 * calibration batch (weights: once; activations: many batches), then ask for the {@link #range()}
 * it settled on or directly for {@link #qparams(QuantSpec)}. Observers differ only in how they turn
 * what they saw into a range (Nagel et al. 2021, section 3.1 "Quantization range setting";
 * Krishnamoorthi 2018, section 3; Migacz 2017, "8-bit Inference with TensorRT").
 *
 * <p>Asking before any {@code observe} throws {@link IllegalStateException} ("observer saw no
 * data: run calibration batches first"); observing NaN, infinities or an empty array throws
 * {@link IllegalArgumentException}. Observers are mutable and not thread-safe.
 */
public interface Observer {

    /** Adds one batch (any shape) to the statistics. */
    void observe(INDArray x);

    /** Number of values observed so far. */
    long count();

    /** The channel axis of a per-channel observer, or {@link QuantSpec#PER_TENSOR}. */
    default int axis() {
        return QuantSpec.PER_TENSOR;
    }

    /** The range of a per-tensor observer. Per-channel observers throw; use {@link #ranges()}. */
    Range range();

    /** One range per channel (a single one for per-tensor observers). */
    default List<Range> ranges() {
        return List.of(range());
    }

    /** Scales and zero points for {@code spec} from {@link #ranges()}; the spec's axis must match the observer's. */
    default QParams qparams(QuantSpec spec) {
        if (spec.axis() != axis()) {
            String observed = axis() < 0 ? "per-tensor" : "per-channel along axis " + axis();
            throw new IllegalArgumentException(getClass().getSimpleName() + " observes " + observed + " but the spec is " + spec
                    + "; use a matching observer or spec");
        }
        return axis() < 0 ? QParams.fromRange(spec, range()) : QParams.fromRanges(spec, ranges());
    }
}
