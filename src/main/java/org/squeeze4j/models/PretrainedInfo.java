package org.squeeze4j.models;

/**
 * Provenance of a shipped pretrained baseline, stored next to it as JSON.
 *
 * @param model the {@link Reference} id
 * @param dataset the dataset trained and tested on ("mnist", "fashion-mnist")
 * @param testAccuracy accuracy on that dataset's test set, a fraction in [0, 1]
 * @param recipe how it was trained
 * @param trainSeconds wall time of training on the machine named in {@code machine}
 * @param machine OS, architecture and cores of the training machine
 * @param versions squeeze4j, DL4J and Java versions
 * @param command the command that reproduces the file
 */
public record PretrainedInfo(String model, String dataset, double testAccuracy, TrainingRecipe recipe, double trainSeconds,
                             String machine, String versions, String command) {
}
