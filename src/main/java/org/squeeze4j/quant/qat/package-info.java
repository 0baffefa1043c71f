/**
 * Quantization-aware training on DL4J (Jacob et al. 2018, section 3; Krishnamoorthi 2018,
 * section 3; Nagel et al. 2021, section 4), in torch.ao's shape: prepare, train, convert.
 *
 * <pre>
 *   float MultiLayerNetwork
 *     | [ptq.BatchNormFolding.fold]        conv/dense + BN (+ ReLU layer) -> one layer, same outputs
 *     | QatPreparation.prepare(net, QatConfig.of(wBits, aBits)[.withPact()])
 *     v
 *   QAT network:  quant-input (FakeQuantActivation, uint8)
 *                 Dense/Conv  weights: FakeQuantWeightNoise (IWeightNoise = straight-through estimator)
 *                             activation: FakeQuantActivation (EMA range, clipped STE)  or  identity + PactLayer (learned alpha)
 *                 Output      logits: FakeQuantActivation(softmax, quantize input)
 *     | QatControl.calibrate(net, features)   ranges and PACT alpha from data; evaluating now = PTQ
 *     | net.fit(...)                          QAT; QatControl switches observers / fake quant / rounding, freezes ranges
 *     | lower.QatConversion.toIntModel(net)   -> engine IntModel with the learned scales (no recalibration)
 * </pre>
 *
 * <p><b>Batch norm: fold first, with the running statistics, then train the folded layer.</b>
 * Krishnamoorthi's scheme keeps BN during QAT (batch statistics, a correction factor
 * {@code sigma_B / sigma}) and freezes the statistics after some steps. Starting from a converged
 * float network we enter that frozen phase at once: the folded layer is exactly the network's
 * inference function, the fake-quantized weights are the folded ones the engine stores, and the
 * BN parameters are learned through {@code W'} and {@code b'}. What is lost is BN's normalisation
 * during the short fine-tune, which matters for training from scratch, not for a fine-tune.
 *
 * <p><b>Where state lives.</b> DL4J activations and weight-noise objects are configuration; the
 * observed ranges, step counts and switches are JSON fields of those objects, so
 * {@code ModelSerializer} saves and restores them and the reloaded network computes the same
 * outputs. PACT's alpha is a real network parameter (updated by the network's updater).
 *
 * <p><b>Gradients.</b> The straight-through estimator is, by definition, the exact gradient of
 * the surrogate with rounding replaced by the identity; {@link org.squeeze4j.quant.qat.QatControl#setRounding}
 * switches to that surrogate, which is what the {@code GradientCheckUtil} tests check (clip masks,
 * PACT's alpha gradient, quantized logits). Weight clipping cannot be masked through DL4J's
 * weight-noise hook; with {@link org.squeeze4j.quant.qat.WeightRange#MAX_ABS} nothing is clipped.
 *
 * <p>What it buys on LeNet-300-100 (W8A8, W4A4, W2A2 against PTQ with the same quantizers, and
 * what a QAT step costs against a float one) is measured by notebook 05-qat, written to
 * {@code build/results/05-qat.json} and discussed in {@code tutorials/05-qat.md}.
 */
package org.squeeze4j.quant.qat;
