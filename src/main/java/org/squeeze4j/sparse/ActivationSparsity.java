package org.squeeze4j.sparse;

/**
 * How many of one layer's activations were zero over the samples seen so far.
 *
 * @param layer the layer whose output this is ({@code "input"} for the network's input features)
 * @param activations activations counted (samples × units)
 * @param reluZeros activations that were exactly zero after the layer's activation function (ReLU)
 * @param betaZeros further activations zeroed by the {@code |a| < β·max|a|} rule
 */
public record ActivationSparsity(String layer, long activations, long reluZeros, long betaZeros) {

    /** Zero activations (ReLU zeros plus β-rule zeros). */
    public long zeros() {
        return reluZeros + betaZeros;
    }

    /** Fraction of activations that are zero, in [0, 1]: the inputs the next CSC kernel skips. */
    public double zeroFraction() {
        return activations == 0 ? 0 : (double) zeros() / activations;
    }
}
