package org.squeeze4j.sparse;

/** One fully connected layer {@code y = act(x W + b)} for a single input vector, in some sparse storage. */
public interface DenseKernel {

    /** Writes {@code act(x W + b)} into {@code y} ({@code x.length == inputs()}, {@code y.length == outputs()}). */
    void forward(float[] x, float[] y);

    int inputs();

    int outputs();

    /** Stored (non-zero) weights. */
    int nonZeros();

    /** Whether the layer applies ReLU (otherwise identity: logits of the output layer). */
    boolean relu();
}
