package org.squeeze4j.util;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu;

/**
 * Lets DL4J train convolution, pooling and batch-norm layers through libnd4j's native ops
 * (oneDNN where ND4J was built with it) instead of its own im2col + GEMM path.
 *
 * <p>DL4J 1.0.0-M2.1 keeps those layer helpers off for two reasons, both fixed here: the system
 * property {@value #HELPERS_DISABLED} defaults to {@code true}, and its check for oneDNN looks up a
 * class that ND4J has renamed (restored by {@link org.nd4j.nativeblas.Nd4jCpu}). The property is
 * read each time a layer is built, so {@link #enable()} must run before the network is built;
 * {@link org.squeeze4j.models.Models}, {@link org.squeeze4j.models.ModelFiles}, the notebooks'
 * set-up and the command line call it. A user who sets the property on the command line keeps
 * their choice: {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true} restores DL4J's own path.
 *
 * <p>Both paths compute the same function; the native one only orders the float sums
 * differently ({@code OneDnnTest} compares outputs and gradients). On the 2-core test machine a
 * training step of the Caffe LeNet-5 takes 4-5x less time ({@code ConvTrainingBench}).
 */
public final class OneDnn {
    /** DL4J's switch for its platform helpers (cuDNN, oneDNN): {@code true} turns them off. */
    public static final String HELPERS_DISABLED = "org.eclipse.deeplearning4j.helpers.disable";

    private OneDnn() {
    }

    /** Switches DL4J's native layer helpers on for layers built from now on, unless the property was set explicitly. */
    public static void enable() {
        if (System.getProperty(HELPERS_DISABLED) == null) {
            System.setProperty(HELPERS_DISABLED, "false");
        }
    }

    /** Whether the loaded libnd4j was built with oneDNN (the {@code -onednn} natives; not on Apple silicon). */
    public static boolean compiledIn() {
        return new Nd4jCpu().buildInfo().contains("HAVE_ONEDNN");
    }

    /**
     * Which implementation a layer computes with: the simple name of its DL4J helper (for example
     * {@code MKLDNNConvHelper}, libnd4j's native op), or {@code "DL4J"} for DL4J's own Java path.
     */
    public static String path(Layer layer) {
        LayerHelper helper = layer.getHelper();
        return helper == null ? "DL4J" : helper.getClass().getSimpleName();
    }
}
