package org.squeeze4j.quant.observe;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Finite;

/** Input checks and messages shared by the observers. */
final class Inputs {
    private Inputs() {
    }

    /** Checks an observed batch (not null, not empty, finite). */
    static void check(INDArray x) {
        if (x == null) {
            throw new IllegalArgumentException("observed array must not be null");
        }
        if (x.isEmpty() || x.length() == 0) {
            throw new IllegalArgumentException("observed an empty array; pass a batch with at least one value");
        }
        Finite.require(x, "observed data");
    }

    /** The batch's values in C order as doubles, after {@link #check}. */
    static double[] values(INDArray x) {
        check(x);
        return x.castTo(DataType.DOUBLE).ravel().toDoubleVector();
    }

    /** The exception for a range asked before any data. */
    static IllegalStateException noData(Object observer) {
        return new IllegalStateException(observer.getClass().getSimpleName()
                + ": observer saw no data: run calibration batches first (observe(batch) for each), then ask for range() or qparams()");
    }
}
