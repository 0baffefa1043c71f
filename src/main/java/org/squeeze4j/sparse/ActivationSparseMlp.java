package org.squeeze4j.sparse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A sparse MLP (ReLU hidden layers, softmax output) that also exploits <em>activation</em>
 * sparsity: after each hidden layer it zeroes, per sample, every activation with
 * <pre>
 *   |a_j| < β · max_k |a_k|        (a = that layer's activation vector for this sample)
 * </pre>
 * and the next layer, with the {@link Kernel#CSC} kernel ({@link CscDense}), skips zero inputs
 * entirely. ReLU already makes many activations exactly zero; β > 0 trades a little accuracy for
 * more zeros (the dynamic activation pruning of EIE, Han et al. 2016, and of "Dynamic Network
 * Surgery"-style inference; β = 0 changes nothing, since {@code |a| < 0} never holds).
 *
 * <p>Counts, per layer, how many activations were zero (ReLU zeros and β-rule zeros separately)
 * over all samples since the last {@link #resetCounts()}; the first row, {@code "input"}, counts
 * the zero input features (black MNIST pixels), which the first CSC layer also skips; the β rule
 * is never applied to the input or to the output logits.
 *
 * <p>Not thread-safe: buffers and counters are reused between calls.
 */
public final class ActivationSparseMlp {
    /** The sparse storage of the weights. */
    public enum Kernel {
        /** Compressed rows by output ({@link SparseDense}): cost = surviving weights, whatever the input. */
        CSR,
        /** Compressed columns by input ({@link CscDense}): cost = surviving weights of the non-zero inputs. */
        CSC
    }

    private final List<DenseKernel> layers;
    private final List<String> names;
    private final double beta;
    private final float[][] buffers;
    private final long[] activations;
    private final long[] reluZeros;
    private final long[] betaZeros;

    private ActivationSparseMlp(List<? extends DenseKernel> layers, List<String> names, double beta) {
        this.layers = List.copyOf(layers);
        this.names = List.copyOf(names);
        this.beta = beta;
        this.buffers = new float[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            buffers[i] = new float[layers.get(i).outputs()];
        }
        this.activations = new long[layers.size()];
        this.reluZeros = new long[layers.size()];
        this.betaZeros = new long[layers.size()];
    }

    /**
     * Converts a network of dense ReLU layers and a softmax output layer (as {@link SparseMlp#of}).
     *
     * @param beta threshold factor in [0, 1); 0 keeps the network's outputs exactly
     */
    public static ActivationSparseMlp of(MultiLayerNetwork net, double beta, Kernel kernel) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1), got " + beta
                    + " (1 would zero every activation but the largest; typical values are 0.01-0.2)");
        }
        Objects.requireNonNull(kernel, "kernel");
        List<? extends DenseKernel> layers = kernel == Kernel.CSC
                ? SparseMlp.convert(net, CscDense::of) : SparseMlp.convert(net, SparseDense::of);
        return new ActivationSparseMlp(layers, SparseMlp.names(net), beta);
    }

    /** Class scores (logits, before softmax) for one input; the returned array is reused by the next call. */
    public float[] logits(float[] x) {
        count(0, x, 0);
        float[] in = x;
        int last = layers.size() - 1;
        for (int i = 0; i <= last; i++) {
            float[] out = buffers[i];
            layers.get(i).forward(in, out);
            if (i < last) {
                count(i + 1, out, applyBeta(out));
            }
            in = out;
        }
        return in;
    }

    /** Zeroes {@code |a| < β·max|a|} in place and returns how many non-zero activations it zeroed. */
    private int applyBeta(float[] a) {
        if (beta == 0) {
            return 0;
        }
        float max = 0f;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        float cut = (float) (beta * max);
        int zeroed = 0;
        for (int j = 0; j < a.length; j++) {
            if (a[j] != 0f && Math.abs(a[j]) < cut) {
                a[j] = 0f;
                zeroed++;
            }
        }
        return zeroed;
    }

    /** Row {@code row} of the counters: {@code a} has {@code betaZeroed} zeros from the β rule, the rest of its zeros from ReLU. */
    private void count(int row, float[] a, int betaZeroed) {
        if (row >= activations.length) {
            return;
        }
        int zeros = 0;
        for (float v : a) {
            if (v == 0f) {
                zeros++;
            }
        }
        activations[row] += a.length;
        reluZeros[row] += zeros - betaZeroed;
        betaZeros[row] += betaZeroed;
    }

    /** Softmax probabilities for one input (a new array). */
    public float[] probabilities(float[] x) {
        return SparseMlp.softmax(logits(x));
    }

    /** The predicted class for one input. */
    public int predict(float[] x) {
        return SparseMlp.argMax(logits(x));
    }

    /** Softmax probabilities for a batch {@code [n, nIn]}, row by row, as {@code [n, classes]}. */
    public INDArray output(INDArray features) {
        int n = (int) features.size(0);
        float[][] rows = new float[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = probabilities(features.getRow(r).toFloatVector());
        }
        return Nd4j.create(rows);
    }

    /** Top-1 accuracy over all of {@code data} (reset first), in [0, 1]; also updates the zero counts. */
    public double accuracy(DataSetIterator data) {
        data.reset();
        long correct = 0;
        long total = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            float[][] x = batch.getFeatures().toFloatMatrix();
            INDArray labels = batch.getLabels();
            for (int r = 0; r < x.length; r++) {
                if (predict(x[r]) == labels.getRow(r).argMax().getInt(0)) {
                    correct++;
                }
                total++;
            }
        }
        data.reset();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /**
     * Zero activations per layer since the last reset: {@code "input"}, then every hidden layer
     * (the inputs of the following layer). The output layer's logits are not counted.
     */
    public List<ActivationSparsity> activationSparsity() {
        List<ActivationSparsity> rows = new ArrayList<>();
        for (int i = 0; i < activations.length; i++) {
            rows.add(new ActivationSparsity(i == 0 ? "input" : names.get(i - 1), activations[i], reluZeros[i], betaZeros[i]));
        }
        return rows;
    }

    /** Starts counting zero activations afresh. */
    public void resetCounts() {
        java.util.Arrays.fill(activations, 0);
        java.util.Arrays.fill(reluZeros, 0);
        java.util.Arrays.fill(betaZeros, 0);
    }

    public double beta() {
        return beta;
    }

    public List<DenseKernel> layers() {
        return layers;
    }

    public long nonZeros() {
        return layers.stream().mapToLong(DenseKernel::nonZeros).sum();
    }
}
