package org.squeeze4j.distill;

/**
 * Provenance of a shipped distilled student, stored next to it as JSON by {@code ./s4j distill}.
 *
 * @param model              the {@link DistilledReference} id
 * @param teacher            the id of the teacher
 * @param testAccuracy       the distilled student's test accuracy, a fraction in [0, 1]
 * @param hardLabelAccuracy  the control: the same student trained on the same images with hard labels only
 * @param teacherAccuracy    the teacher's test accuracy, measured in the same run
 * @param macs               multiply-accumulates per image of the student
 * @param teacherMacs        the same for the teacher
 * @param recipe             how both students were trained
 * @param trainSeconds       wall time of the distilled student's training on {@code machine}
 * @param command            the command that reproduces the file
 */
public record DistillInfo(String model, String teacher, double testAccuracy, double hardLabelAccuracy, double teacherAccuracy,
                          long macs, long teacherMacs, DistillRecipe recipe, double trainSeconds, String machine, String versions,
                          String command) {
}
