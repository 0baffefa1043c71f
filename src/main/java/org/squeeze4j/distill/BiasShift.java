package org.squeeze4j.distill;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.IdxDataset;

/**
 * Hinton's bias fix for a class the transfer set did not contain: raise that class's output bias by
 * {@code delta}, chosen on held-out training images (never on the test set).
 *
 * <p>A student that never saw a "3" can still learn what a 3 looks like from the soft targets of
 * other digits (a teacher gives some 7s and 8s a little probability of being a 3), but it has
 * no reason to ever put much mass on class 3, so its bias for 3 is too low. Hinton et al. (2015,
 * section 3) raise it by 3.5 and recover most 3s. {@link #choose} picks the shift that maximises
 * accuracy on a validation set drawn from the training split.
 *
 * @param cls the omitted class
 * @param candidates the bias shifts tried
 * @param validationAccuracy accuracy on the validation set for each candidate
 * @param best index of the chosen candidate (the first maximum)
 */
public record BiasShift(int cls, double[] candidates, double[] validationAccuracy, int best) {
    public BiasShift {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(validationAccuracy, "validationAccuracy");
        if (candidates.length == 0 || candidates.length != validationAccuracy.length || best < 0 || best >= candidates.length) {
            throw new IllegalArgumentException("need one validation accuracy per candidate and a best index among them");
        }
        candidates = candidates.clone();
        validationAccuracy = validationAccuracy.clone();
    }

    /** The chosen shift. */
    public double delta() {
        return candidates[best];
    }

    @Override
    public double[] candidates() {
        return candidates.clone();
    }

    @Override
    public double[] validationAccuracy() {
        return validationAccuracy.clone();
    }

    /**
     * Tries each shift of class {@code cls}'s output bias and keeps the one with the best accuracy on
     * {@code validation}. The network is left unchanged.
     */
    public static BiasShift choose(MultiLayerNetwork net, int cls, IdxDataset validation, double... candidates) {
        if (candidates.length == 0) {
            throw new IllegalArgumentException("give at least one candidate bias shift, e.g. 0, 0.5, 1, ..., 8");
        }
        checkClass(net, cls);
        int[] all = new int[validation.size()];
        Arrays.setAll(all, i -> i);
        INDArray logits = TeacherLogits.of(net, validation.features(all)); // logits, also for a softmax output
        double[] acc = new double[candidates.length];
        int best = 0;
        for (int c = 0; c < candidates.length; c++) {
            INDArray shift = Nd4j.zeros(logits.dataType(), 1, logits.columns());
            shift.putScalar(0, cls, candidates[c]);
            INDArray shifted = logits.addRowVector(shift);
            INDArray pred = shifted.argMax(1);
            int correct = 0;
            for (int i = 0; i < all.length; i++) {
                if (pred.getInt(i) == validation.label(i)) {
                    correct++;
                }
            }
            acc[c] = (double) correct / all.length;
            if (acc[c] > acc[best]) {
                best = c;
            }
        }
        return new BiasShift(cls, candidates, acc, best);
    }

    /**
     * Adds {@code delta} to the output bias of class {@code cls}, in place. With a softmax (or identity)
     * output this multiplies the class's odds by {@code e^delta}.
     */
    public static void apply(MultiLayerNetwork net, int cls, double delta) {
        checkClass(net, cls);
        INDArray b = net.getOutputLayer().getParam("b");
        b.putScalar(cls, b.getDouble(cls) + delta);
    }

    /** Applies the chosen {@link #delta()} to {@code net}. */
    public void applyTo(MultiLayerNetwork net) {
        apply(net, cls, delta());
    }

    private static void checkClass(MultiLayerNetwork net, int cls) {
        long k = Distillation.outputs(net);
        if (cls < 0 || cls >= k) {
            throw new IllegalArgumentException("class " + cls + " is outside [0, " + k + ") of the network's outputs");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BiasShift s && s.cls == cls && s.best == best && Arrays.equals(s.candidates, candidates)
                && Arrays.equals(s.validationAccuracy, validationAccuracy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cls, best, Arrays.hashCode(candidates), Arrays.hashCode(validationAccuracy));
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "BiasShift(class %d: +%.2f, validation accuracy %.4f)", cls, delta(),
                validationAccuracy[best]);
    }
}
