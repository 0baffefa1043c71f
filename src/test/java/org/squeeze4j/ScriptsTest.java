package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The developer scripts' own checks, run as a user would run them (no Maven, no kernel). */
class ScriptsTest {
    private static final Path REPO = Path.of("").toAbsolutePath();

    private record Run(int exit, String output) {
    }

    private static Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void s4jRefusesAJavaOlderThan17BeforeAnyWork(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk11/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 11' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = run(Map.of("JAVA_HOME", dir.resolve("jdk11").toString()), "bash", "s4j", "test");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("needs Java 17 or newer") && r.output().contains("is Java 11"), r.output());
        assertTrue(!r.output().contains("[INFO]"), "Maven never started");

        Run missing = run(Map.of("JAVA_HOME", dir.resolve("none").toString()), "bash", "s4j", "compress");
        assertEquals(1, missing.exit());
        assertTrue(missing.output().contains("no Java found"), missing.output());
        assertEquals(0, run(Map.of("JAVA_HOME", dir.resolve("none").toString()), "bash", "s4j", "help").exit(),
                "help needs no Java");
    }
}
