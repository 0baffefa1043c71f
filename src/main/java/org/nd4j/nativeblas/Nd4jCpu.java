package org.nd4j.nativeblas;

/**
 * Restores the class name through which DL4J 1.0.0-M2.1 asks libnd4j whether its oneDNN helpers
 * may run, so that DL4J's convolution, pooling and batch-norm layers train through oneDNN.
 *
 * <p>The bug this works around: {@code BaseMKLDNNHelper.mklDnnEnabled()} (deeplearning4j-nn
 * M2.1) loads {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by reflection, but ND4J M2.1 moved
 * the binding to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}. The lookup throws, the
 * check caches "failed", and every {@code MKLDNNConvHelper}, {@code MKLDNNSubsamplingHelper} and
 * {@code MKLDNNBatchNormHelper} is dropped: each {@code ConvolutionLayer} falls back to DL4J's own
 * im2col + GEMM, about 1 G MAC/s where libnd4j's oneDNN {@code conv2d} / {@code conv2d_bp} reach
 * 33 / 50 G MAC/s on the same shapes. This class has exactly the two members the check calls and
 * answers with the real binding's {@code isUseONEDNN()}; nothing else uses it. See
 * {@code org.squeeze4j.util.OneDnn} for the check that it is in effect.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The two members of libnd4j's {@code Environment} that DL4J's helper check reflects on. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** The singleton, as in the real binding. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * Whether libnd4j was built with oneDNN and has it switched on: its platform helpers
         * ({@code Environment.helpersAllowed()}) and its oneDNN flag ({@code isUseONEDNN()}).
         */
        public boolean isUseMKLDNN() {
            org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment env =
                    org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance();
            return env.isUseONEDNN() && env.helpersAllowed();
        }
    }
}
