package org.squeeze4j.prune;

/**
 * Where scores are ranked. {@link #LAYER}: each layer reaches the target sparsity on its own.
 * {@link #GLOBAL}: all layers' scores are ranked together, so layers with many redundant weights
 * (the first layer of LeNet-300-100) lose more than small, sensitive ones (the output layer).
 * Global ranking only makes sense for scores on a common scale, such as magnitudes.
 */
public enum Scope { LAYER, GLOBAL }
