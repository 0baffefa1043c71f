/**
 * The one lowering from DL4J networks to the integer engine: {@code Lowering} walks the
 * {@link org.squeeze4j.models.NetworkView} of a {@code MultiLayerNetwork} or a
 * {@code ComputationGraph} and emits engine layers (dense, convolution, depthwise convolution, max
 * and global average pooling, residual add, with ReLUs fused as clamps), taking the numbers from a
 * {@code Grids}: observed on calibration data for post-training quantization
 * ({@link org.squeeze4j.lower.IntModelBuilder}), or learned by the fake-quant nodes of
 * quantization-aware training ({@link org.squeeze4j.lower.QatConversion}).
 * {@link org.squeeze4j.lower.FakeQuantSimulation} is the same integer pipeline in ND4J float64,
 * the bit-exact reference the engine is tested against.
 *
 * <p>This package joins {@code quant} and {@code engine}; neither depends on it ({@code LayeringTest}).
 */
package org.squeeze4j.lower;
