package org.squeeze4j.cli;

/**
 * Refusals of out-of-range option values, shared by the commands so that each is made before any
 * model is loaded or trained, and names the option as the user typed it (not a recipe field).
 */
final class OptionChecks {
    private OptionChecks() {
    }

    /** Refuses an integer option below {@code min} (null: not given). */
    static void atLeast(String option, Integer value, int min) {
        if (value != null && value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** Refuses a number that is not finite and positive. */
    static void positive(String option, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(option + " must be a positive number, got " + value);
        }
    }

    /** Refuses a fraction outside [0, 1) (null: not given), e.g. a sparsity target. */
    static void fraction(String option, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1), got " + value
                    + (value >= 1 && value < 100 ? " (a fraction, not a percentage: 0.95 for 95 %)" : ""));
        }
    }
}
