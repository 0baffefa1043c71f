package org.squeeze4j.engine;

import java.util.Optional;
import org.squeeze4j.util.VectorApi;

/**
 * Chooses the {@link Int8Kernel}: the Vector-API kernel when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (checked with
 * {@code ModuleLayer.boot().findModule("jdk.incubator.vector")}), the scalar kernel otherwise.
 * The vector class is loaded by name only after that check, so a JVM without the module never
 * touches it.
 */
public final class Kernels {
    /** Name of the incubator module the fast path needs. */
    public static final String VECTOR_MODULE = VectorApi.MODULE;

    private Kernels() {
    }

    /** The plain-Java kernel (always available). */
    public static Int8Kernel scalar() {
        return ScalarKernel.INSTANCE;
    }

    /** True when {@code jdk.incubator.vector} is in the boot layer of this JVM. */
    public static boolean vectorAvailable() {
        return VectorApi.available();
    }

    /** The Vector-API kernel, or empty when the module is not present at run time. */
    public static Optional<Int8Kernel> vector() {
        return VectorApi.load("org.squeeze4j.engine.VectorKernel", Int8Kernel.class, "the vector kernel");
    }

    /** The vector kernel if available, else the scalar one. */
    public static Int8Kernel best() {
        return vector().orElse(ScalarKernel.INSTANCE);
    }
}
