/**
 * Integer-only inference after Jacob et al. 2018, "Quantization and Training of Neural Networks
 * for Efficient Integer-Arithmetic-Only Inference" (CVPR): int8 weights, uint8 activations, int32
 * accumulators and fixed-point requantization, with floating point only where the input is
 * quantized and the logits are dequantized.
 *
 * <pre>
 *   MultiLayerNetwork or ComputationGraph
 *        | org.squeeze4j.lower: IntModelBuilder (PTQ: observers) or QatConversion (QAT: learned grids)
 *        v
 *   IntModel  --IntModelFile.write/read-->  .s4ji file (CRC32)
 *        | runner(maxBatch, kernel)
 *        v
 *   IntRunner: quantize -> a graph of [IntDense | IntConv2d | IntDepthwiseConv2d | IntMaxPool2d
 *                           | IntGlobalAvgPool | IntAdd] -> dequantize
 *                           \ Int8Kernel: ScalarKernel or VectorKernel (jdk.incubator.vector)
 * </pre>
 * This package is the runtime only: it depends on neither DL4J's training classes nor
 * {@code quant} ({@code LayeringTest}); the lowering and its float64 reference
 * ({@code lower.FakeQuantSimulation}) live in {@code org.squeeze4j.lower}.
 *
 * <p><b>Choices.</b>
 * <ul>
 *   <li>Activations are <b>uint8</b> with zero points (the paper's scheme; ReLU outputs get
 *       {@code Z = 0} and use all 256 codes); weights int8 symmetric narrow range [-127, 127], one
 *       scale per output channel, zero point 0, so eq. 7's weight-zero-point terms vanish and only
 *       {@code Z_in sum_k q_w} remains, folded into the bias once per channel.</li>
 *   <li>Two rounding conventions, each where its reference puts it: quantizing the float input uses
 *       round-half-to-even ({@code rint}, as {@code quant.Quantizer}); requantization uses gemmlowp's
 *       SaturatingRoundingDoublingHighMul (ties up) and RoundingDivideByPOT (ties away from zero),
 *       as TFLite does, see {@link org.squeeze4j.engine.FixedPoint}.</li>
 *   <li>Scales are float32 values, as in TFLite, so the file holds them losslessly; multipliers
 *       {@code M = s_in s_w / s_out} must lie in (0, 1).</li>
 *   <li>Each weighted layer clamps its output codes at {@code [lo, hi]}: {@code lo = Z_out} with a
 *       fused ReLU, else 0; {@code hi = 255}, or {@code 2^b - 1} when the layer's activations were
 *       trained on a b-bit grid (QAT conversion), so the engine clips where that grid does.</li>
 *   <li>Max pooling runs on the uint8 codes: requantization is monotone, so it commutes. Residual
 *       adds and global average pooling requantize onto their own grids (TFLite's ADD and MEAN).</li>
 *   <li>The Vector-API kernel is used only when {@code jdk.incubator.vector} is in the boot layer;
 *       the build passes {@code --add-modules jdk.incubator.vector} to javac and to the test JVM.
 *       It skips zero activations in rows that are mostly zero (EIE's dynamic sparsity).</li>
 *   <li>A runner may split large batches across threads ({@code runner(maxBatch, kernel, threads)}):
 *       samples are independent, so each thread runs its slice through all layers.</li>
 * </ul>
 *
 * <p>Example:
 * <pre>{@code
 *   MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
 *   IntModel q = org.squeeze4j.lower.IntModelBuilder.build(net, mnist.train().subset(1000, 42).features(idx));
 *   IntModelFile.write(q, Path.of("lenet.s4ji"));
 *   IntRunner r = q.runner(1);                  // one per thread; no allocation per call
 *   float[] logits = r.output(pixels, 1);       // 784 floats in [0, 1] -> 10 logits
 * }</pre>
 */
package org.squeeze4j.engine;
