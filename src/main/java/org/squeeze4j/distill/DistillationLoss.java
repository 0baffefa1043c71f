package org.squeeze4j.distill;

import java.util.Locale;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Knowledge-distillation loss (Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural
 * Network") as a DL4J {@link ILossFunction}:
 *
 * <pre>
 *   L = (1 - alpha) * H(y, softmax(z_S)) + alpha * T^2 * KL( softmax(z_T / T) || softmax(z_S / T) )
 * </pre>
 *
 * <p>{@code z_S} are the student's logits: its output layer must use {@code Activation.IDENTITY}
 * (the softmax is part of this loss). The labels array carries both targets side by side,
 * {@code [one-hot y (K columns) | teacher logits z_T (K columns)]}; {@link TransferSet} builds such
 * batches from cached {@link TeacherLogits}.
 *
 * <p><b>Weighting.</b> {@code alpha} in [0, 1] is the weight of the soft term; {@code alpha = 0} is plain
 * cross-entropy on hard labels (the baseline, trained on the very same batches), {@code alpha = 1} uses
 * the teacher only. Hinton writes the objective as {@code H(y, p_S) + lambda * H(p_T^T, p_S^T)}
 * with the soft term multiplied by {@code T^2} "since the magnitudes of the gradients produced by
 * the soft targets scale as 1/T^2". Cross-entropy and KL differ by the teacher's entropy, a constant
 * that has no gradient, so this loss is {@code (1 - alpha)} times Hinton's with
 * {@code lambda = T^2 * alpha / (1 - alpha)}. The gradient with respect to the student logits is
 *
 * <pre>
 *   dL/dz_S = (1 - alpha) * (p_S - y) + alpha * T * (softmax(z_S / T) - softmax(z_T / T))
 * </pre>
 *
 * so the {@code T^2} factor keeps the soft gradient's scale comparable across temperatures.
 */
public final class DistillationLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @JsonProperty("temperature")
    private final double temperature;
    @JsonProperty("alpha")
    private final double alpha;

    /**
     * @param temperature {@code T > 0}; 1 is the plain softmax, larger values soften both distributions
     * @param alpha weight of the soft (teacher) term in [0, 1]
     */
    @JsonCreator
    public DistillationLoss(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature
                    + " (Hinton et al. use 2-20; 1 is the ordinary softmax)");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha is the weight of the teacher term and must lie in [0, 1], got " + alpha
                    + " (0 = hard labels only, 1 = teacher only)");
        }
        this.temperature = temperature;
        this.alpha = alpha;
    }

    /** The loss with {@code alpha = 0}: cross-entropy on the hard labels, ignoring the teacher columns. */
    public static DistillationLoss hardLabels() {
        return new DistillationLoss(1, 0);
    }

    public double temperature() {
        return temperature;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Terms t = terms(labels, preOutput, activationFn);
        // per example: (1 - alpha) * H(y, p_S) + alpha * T^2 * KL(p_T^T || p_S^T)
        INDArray hard = t.y.mul(t.logP).sum(1).negi();
        INDArray soft = t.pTeacherT.mul(t.logPTeacherT.sub(t.logPStudentT)).sum(1);
        INDArray score = hard.muli(1 - alpha).addi(soft.muli(alpha * temperature * temperature));
        return applyMask(score.reshape(score.length(), 1), mask, preOutput);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        INDArray scores = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = scores.sumNumber().doubleValue();
        return average ? sum / scores.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Terms t = terms(labels, preOutput, activationFn);
        INDArray pStudent = Transforms.exp(t.logP, true);
        INDArray pStudentT = Transforms.exp(t.logPStudentT, true);
        // hard: d/dz [-sum y log p] = p * sum(y) - y ; soft: d/dz [T^2 KL] = T * (p_S^T - p_T^T)
        INDArray hard = pStudent.mulColumnVector(t.y.sum(true, 1)).subi(t.y);
        INDArray soft = pStudentT.subi(t.pTeacherT).muli(temperature);
        INDArray dLdz = hard.muli(1 - alpha).addi(soft.muli(alpha));
        INDArray grad = activationFn.backprop(preOutput.dup(), dLdz).getFirst();
        if (mask != null) {
            grad.muliColumnVector(mask.castTo(grad.dataType()));
        }
        return grad;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                         INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    private record Terms(INDArray y, INDArray logP, INDArray logPStudentT, INDArray pTeacherT, INDArray logPTeacherT) {
    }

    private Terms terms(INDArray labels, INDArray preOutput, IActivation activationFn) {
        Objects.requireNonNull(labels, "labels");
        if (!(activationFn instanceof ActivationIdentity)) {
            throw new IllegalArgumentException("DistillationLoss needs the student's logits: give its output layer "
                    + "Activation.IDENTITY (the softmax is inside the loss), not " + activationFn);
        }
        if (preOutput.rank() != 2 || labels.rank() != 2 || labels.size(0) != preOutput.size(0)) {
            throw new IllegalArgumentException("expected 2-d student logits [n, K] and labels [n, 2K], got "
                    + java.util.Arrays.toString(preOutput.shape()) + " and " + java.util.Arrays.toString(labels.shape()));
        }
        long k = preOutput.size(1);
        long cols = labels.size(1);
        if (cols == k) {
            throw new IllegalArgumentException("the labels have " + cols + " columns, only the one-hot targets: DistillationLoss "
                    + "needs [one-hot | teacher logits] = " + 2 * k + " columns. Train on TransferSet.iterator(...), which "
                    + "appends the cached teacher logits, or use an ordinary MCXENT output layer without a teacher.");
        }
        if (cols != 2 * k) {
            throw new IllegalArgumentException("the labels have " + cols + " columns but the student emits " + k
                    + " logits, so " + 2 * k + " were expected ([one-hot | teacher logits]). Teacher and student must have "
                    + "the same number of outputs" + (cols % 2 == 0 ? " (these labels fit a teacher with " + (cols / 2)
                    + " outputs)" : "") + ".");
        }
        INDArray y = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).castTo(preOutput.dataType());
        INDArray zT = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(k, 2 * k)).castTo(preOutput.dataType());
        INDArray zS = activationFn.getActivation(preOutput.dup(), true);
        INDArray logPTeacherT = logSoftmax(zT.div(temperature));
        return new Terms(y, logSoftmax(zS), logSoftmax(zS.div(temperature)), Transforms.exp(logPTeacherT, true), logPTeacherT);
    }

    /** Row-wise {@code log softmax(z) = z - max - log(sum(exp(z - max)))} (ND4J's fused, stable op). */
    static INDArray logSoftmax(INDArray z) {
        return Nd4j.exec(new LogSoftMax(z, 1))[0];
    }

    private static INDArray applyMask(INDArray score, INDArray mask, INDArray preOutput) {
        if (mask == null) {
            return score;
        }
        if (mask.length() != preOutput.size(0)) {
            throw new IllegalArgumentException("DistillationLoss supports one mask value per example ([n, 1]), got a mask of shape "
                    + java.util.Arrays.toString(mask.shape()));
        }
        return score.muli(mask.reshape(score.length(), 1).castTo(score.dataType()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistillationLoss d && Double.compare(d.temperature, temperature) == 0 && Double.compare(d.alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, alpha);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DistillationLoss(T=%s, alpha=%s)", temperature, alpha);
    }
}
