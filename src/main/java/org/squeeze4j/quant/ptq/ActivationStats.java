package org.squeeze4j.quant.ptq;

import java.util.List;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Range;
import org.squeeze4j.quant.observe.Observer;

/**
 * What {@link Calibration#collect} saw: one observer per activation tensor, index 0 for the network
 * input and {@code i + 1} for the output of layer {@code i} (the pre-softmax logits for the output
 * layer, which is what gets quantized).
 *
 * @param calibrator the method of every observer
 * @param target the per-tensor grid the observers aimed at
 * @param observers the calibrated observers (live objects: do not feed them more data)
 * @param samples number of calibration examples seen
 */
public record ActivationStats(Calibrator calibrator, QuantSpec target, List<Observer> observers, long samples) {
    public ActivationStats {
        observers = List.copyOf(observers);
    }

    /** Number of tensors: the input plus one per layer. */
    public int tensors() {
        return observers.size();
    }

    /** The chosen range of tensor {@code t}. */
    public Range range(int t) {
        return observers.get(t).range();
    }

    /** Scales and zero points of tensor {@code t} on {@code spec}'s grid. */
    public QParams qparams(int t, QuantSpec spec) {
        return QParams.fromRange(spec.perTensor(), range(t));
    }
}
