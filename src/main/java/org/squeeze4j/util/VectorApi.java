package org.squeeze4j.util;

import java.util.Optional;

/**
 * The one check for the Vector API ({@code jdk.incubator.vector}, an incubator module on JDK 17):
 * whether the JVM was started with {@code --add-modules jdk.incubator.vector}, and loading a class
 * that uses it by name only after that check, so that a JVM without the module never touches it.
 * The engine's int8 kernel and QAT's fake-quant loops both choose their fast path here.
 */
public final class VectorApi {
    /** Name of the incubator module. */
    public static final String MODULE = "jdk.incubator.vector";

    private VectorApi() {
    }

    /** True when {@code jdk.incubator.vector} is in the boot layer of this JVM. */
    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * A new instance of {@code className} (a class with a no-argument constructor that uses the
     * Vector API), or empty when the module is absent; a class that fails to load although the
     * module is present is an error, named with {@code what}.
     */
    public static <T> Optional<T> load(String className, Class<T> type, String what) {
        if (!available()) {
            return Optional.empty();
        }
        try {
            java.lang.reflect.Constructor<?> c = Class.forName(className).getDeclaredConstructor();
            c.setAccessible(true);      // the fast classes keep package-private constructors
            return Optional.of(type.cast(c.newInstance()));
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("module " + MODULE + " is present but " + what + " failed to load: " + e, e);
        }
    }
}
