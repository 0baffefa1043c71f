package org.squeeze4j.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Where a number came from: software versions and the machine. Written into every results file
 * and report so that a figure can be traced and reproduced. Deliberately free of timestamps, so
 * the same seed gives the same results file.
 */
public record Provenance(String squeeze4jVersion, String dl4jVersion, String javaVersion, String os, String arch, int cores) {

    /** The provenance of this JVM. */
    public static Provenance current() {
        Properties build = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/org/squeeze4j/build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Provenance(
                build.getProperty("squeeze4j.version", "unknown"),
                build.getProperty("dl4j.version", "unknown"),
                System.getProperty("java.version"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
    }

    /** One line, e.g. "squeeze4j 0.1.0, DL4J 1.0.0-M2.1, Java 17.0.15". */
    public String versions() {
        return "squeeze4j " + squeeze4jVersion + ", DL4J " + dl4jVersion + ", Java " + javaVersion;
    }

    /** One line, e.g. "Linux amd64, 2 cores". */
    public String machine() {
        return os + " " + arch + ", " + cores + " cores";
    }
}
