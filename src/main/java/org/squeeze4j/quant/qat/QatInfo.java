package org.squeeze4j.quant.qat;

/**
 * Provenance of a shipped quantization-aware network, stored next to it as JSON by {@code ./s4j qat}.
 *
 * @param model           the {@link QatReference} id
 * @param dense           the id of the float baseline
 * @param testAccuracy    test accuracy of the fake-quantized network after training, a fraction in [0, 1]
 * @param engineAccuracy  test accuracy of its conversion to the integer engine
 * @param ptqAccuracy     test accuracy right after calibration (post-training quantization)
 * @param denseAccuracy   the float baseline's test accuracy, measured in the same run
 * @param recipe          how it was prepared and trained
 * @param trainSeconds    wall time of the training on {@code machine}
 * @param command         the command that reproduces the file
 */
public record QatInfo(String model, String dense, double testAccuracy, double engineAccuracy, double ptqAccuracy,
                      double denseAccuracy, QatRecipe recipe, double trainSeconds, String machine, String versions,
                      String command) {
}
