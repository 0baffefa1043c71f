package org.squeeze4j.prune;

import java.util.function.DoubleFunction;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Prunes during training following a {@link PruningSchedule} over iterations: every
 * {@code frequency} iterations it recomputes the masks for the scheduled sparsity (pruned weights
 * stay pruned), and after every iteration it re-applies them so the optimizer cannot revive them.
 *
 * <pre>{@code
 * GradualPruning agp = new GradualPruning(PruningSchedule.agp(0, 0.92, 0, 1000), 50,
 *         s -> Pruner.builder().sparsity(s).scope(Scope.GLOBAL).build());
 * net.addListeners(agp);
 * Trainer.builder().epochs(3).build().fit(net, train, test);   // the masks grow from 0 to 92 %
 * Masks masks = agp.masks();
 * }</pre>
 */
public final class GradualPruning extends BaseTrainingListener {
    private final PruningSchedule schedule;
    private final int frequency;
    private final DoubleFunction<Pruner> prunerFor;
    private Masks masks = Masks.none();
    private int step;
    private double current = -1;

    /**
     * @param schedule target sparsity per iteration counted from when the listener is added
     * @param frequency how many iterations between mask updates
     * @param prunerFor builds the pruner for a target sparsity
     */
    public GradualPruning(PruningSchedule schedule, int frequency, DoubleFunction<Pruner> prunerFor) {
        if (frequency <= 0) {
            throw new IllegalArgumentException("frequency must be positive, got " + frequency);
        }
        this.schedule = schedule;
        this.frequency = frequency;
        this.prunerFor = prunerFor;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        double target = schedule.sparsityAt(step);
        if (step % frequency == 0 && target > current) {
            masks = masks.and(prunerFor.apply(target).masks(model));
            current = target;
        }
        masks.applyTo(model);
        step++;
    }

    /**
     * Brings the masks up to the schedule's sparsity at iteration {@code atStep} if they lag behind
     * it, and applies them: for training that stopped before a mask update could reach the
     * schedule's end (masks are updated every {@code frequency} iterations, so the last update
     * of a run of {@code n} iterations is at {@code n - 1} or earlier).
     */
    public void pruneTo(Model model, int atStep) {
        double target = schedule.sparsityAt(atStep);
        if (target > current) {
            masks = masks.and(prunerFor.apply(target).masks(model));
            current = target;
        }
        masks.applyTo(model);
    }

    /** The masks so far (keep them applied with {@link Masks#keeper()} in any further training). */
    public Masks masks() {
        return masks;
    }

    /** Iterations seen. */
    public int step() {
        return step;
    }

    /** The sparsity the masks were last computed for. */
    public double currentTarget() {
        return Math.max(current, 0);
    }
}
