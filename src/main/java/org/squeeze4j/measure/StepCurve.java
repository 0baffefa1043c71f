package org.squeeze4j.measure;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A training curve by step rather than by epoch: the loss of every step, and the accuracy on a
 * fixed probe set every {@code every} steps, starting with step 0 (the network as it was before
 * training, e.g. right after post-training quantization). The probe's evaluation time is kept
 * apart, so a caller timing {@code fit} can subtract it ({@link #evaluationSeconds}).
 */
public final class StepCurve extends BaseTrainingListener {
    /** Points of a curve: a step and a value per step. */
    public record Points(double[] steps, double[] values) {
    }

    private final DataSetIterator probe;
    private final int every;
    private final List<Double> loss = new ArrayList<>();
    private final List<double[]> accuracy = new ArrayList<>();
    private long evaluationNanos;
    private int step;

    private StepCurve(DataSetIterator probe, int every) {
        this.probe = probe;
        this.every = every;
    }

    /**
     * Evaluates {@code net} on {@code probe} now (step 0) and adds the curve to its listeners.
     *
     * @param every steps between evaluations, at least 1
     */
    public static StepCurve attach(Model net, DataSetIterator probe, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("evaluate every at least 1 step, got " + every);
        }
        StepCurve curve = new StepCurve(probe, every);
        curve.evaluate(net);
        if (net instanceof MultiLayerNetwork m) {
            m.addListeners(curve);
        } else if (net instanceof ComputationGraph g) {
            g.addListeners(curve);
        } else {
            throw new IllegalArgumentException("a step curve needs a MultiLayerNetwork or a ComputationGraph, got " + net.getClass().getSimpleName());
        }
        return curve;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        loss.add(model.score());
        step++;
        if (step % every == 0) {
            evaluate(model);
        }
    }

    private void evaluate(Model model) {
        long t0 = System.nanoTime();
        accuracy.add(new double[] {step, Accuracy.of(model, probe)});
        evaluationNanos += System.nanoTime() - t0;
    }

    /** Accuracy on the probe at step 0 and every {@code every} steps after. */
    public Points accuracy() {
        return new Points(accuracy.stream().mapToDouble(a -> a[0]).toArray(), accuracy.stream().mapToDouble(a -> a[1]).toArray());
    }

    /** The training loss averaged over consecutive windows of {@code window} steps, at each window's last step. */
    public Points loss(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1 step, got " + window);
        }
        int n = loss.size() / window;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i + 1) * window;
            y[i] = loss.subList(i * window, (i + 1) * window).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
        return new Points(x, y);
    }

    /** Steps seen so far. */
    public int steps() {
        return step;
    }

    /** Time spent evaluating the probe, step 0 included. */
    public double evaluationSeconds() {
        return evaluationNanos / 1e9;
    }
}
