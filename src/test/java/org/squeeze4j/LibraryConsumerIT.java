package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using the library" section, done as a new user would: a fresh Maven project, in a
 * directory outside the checkout, with the README's {@code <dependency>} block and its Java program
 * copied verbatim, built by Maven against this build's jar and run with plain {@code java}.
 *
 * <p>The jar and pom are placed in a local repository of the test's own, chained in front of the
 * build's ({@code maven.repo.local.tail}, Maven 3.9), so nothing is installed into the user's
 * repository. Checks: the program runs and prints what the README says it prints, the datasets
 * come from the jar (the project has no {@code datasets/} above it), and the project's classpath
 * holds no test library, no picocli and no logging binding.
 */
class LibraryConsumerIT {
    private static final Path REPO = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern XML_BLOCK = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL);

    @Test
    void theReadmeProgramBuildsAndRunsInAFreshMavenProject(@TempDir Path dir) throws Exception {
        String section = usingTheLibrary();
        String program = only(JAVA_BLOCK, section, "Java program");
        String dependency = only(XML_BLOCK, section, "<dependency> block");
        String version = System.getProperty("s4j.version");
        assertTrue(dependency.contains("<version>" + version + "</version>"), "the README names version " + version);

        Path project = Files.createDirectories(dir.resolve("my-project"));
        Path sources = Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(sources.resolve("QuickStart.java"), program);
        Files.writeString(project.resolve("pom.xml"), pom(dependency));
        Path localRepo = install(dir.resolve("repo"), version);

        Path classpathFile = dir.resolve("classpath.txt");
        run(project, 15, REPO.resolve(windows() ? "mvnw.cmd" : "mvnw").toString(), "-B", "-q",
                "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + localRepo, "-Dmaven.repo.local.tail=" + System.getProperty("s4j.localRepository"),
                "compile", "org.apache.maven.plugins:maven-dependency-plugin:3.7.1:build-classpath",
                "-Dmdep.outputFile=" + classpathFile);
        List<String> jars = Arrays.asList(Files.readString(classpathFile).trim().split(java.io.File.pathSeparator));
        for (String unwanted : List.of("junit", "opentest4j", "picocli", "slf4j-simple", "jqwik", "archunit", "jmh")) {
            List<String> found = jars.stream().map(j -> Paths.get(j).getFileName().toString())
                    .filter(name -> name.startsWith(unwanted)).toList();
            assertEquals(List.of(), found, "a library user's classpath holds " + unwanted);
        }

        String classpath = project.resolve("target/classes") + java.io.File.pathSeparator + String.join(java.io.File.pathSeparator, jars);
        Path cache = dir.resolve("cache");
        String out = run(project, 10, Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dsqueeze4j.cache=" + cache, "-cp", classpath, "QuickStart");
        Matcher m = Pattern.compile("fp32 (0\\.\\d{4}) \\(([\\d,]+) bytes\\), fc1 90 % pruned (0\\.\\d{4}), int8 engine (0\\.\\d{4}) \\(([\\d,]+) bytes\\)")
                .matcher(out);
        assertTrue(m.find(), "the program's line is missing from its output:\n" + out);
        assertEquals(0.9829, Double.parseDouble(m.group(1)), 1e-9, "the shipped LeNet-300-100's accuracy");
        assertTrue(Double.parseDouble(m.group(3)) > 0.9 && Double.parseDouble(m.group(3)) < Double.parseDouble(m.group(1)), "pruning 90 % of fc1 without fine-tuning costs some accuracy, not all: " + m.group());
        assertTrue(Double.parseDouble(m.group(4)) > 0.98, "W8A8 keeps the accuracy: " + m.group());
        assertTrue(Long.parseLong(m.group(5).replace(",", "")) * 3 < Long.parseLong(m.group(2).replace(",", "")),
                "int8 is smaller than a third of fp32: " + m.group());
        try (Stream<Path> cached = Files.isDirectory(cache) ? Files.list(cache) : Stream.empty()) {
            assertTrue(cached.anyMatch(p -> p.getFileName().toString().startsWith("datasets-")),
                    "the datasets came from the jar, unpacked into -Dsqueeze4j.cache");
        }
    }

    private static String usingTheLibrary() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        int start = readme.indexOf("## Using the library");
        assertTrue(start >= 0, "README.md has a section '## Using the library'");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static String only(Pattern block, String section, String what) {
        Matcher m = block.matcher(section);
        assertTrue(m.find(), "the section shows a " + what);
        String found = m.group(1);
        assertTrue(!m.find(), "the section shows one " + what + ", not several");
        return found;
    }

    private static String pom(String dependency) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>my-project</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                """ + dependency.indent(4) + """
                  </dependencies>
                </project>
                """;
    }

    /** The jar and pom of this build, laid out as {@code mvn install} would, in a repository of the test's own. */
    private static Path install(Path localRepo, String version) throws IOException {
        Path dir = Files.createDirectories(localRepo.resolve("org/squeeze4j/squeeze4j").resolve(version));
        Path jar = REPO.resolve("target/squeeze4j.jar");
        assertTrue(Files.isRegularFile(jar), "package ran before the integration tests: " + jar);
        Files.copy(jar, dir.resolve("squeeze4j-" + version + ".jar"));
        Files.copy(REPO.resolve("pom.xml"), dir.resolve("squeeze4j-" + version + ".pom"));
        return localRepo;
    }

    private static String run(Path workDir, int minutes, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Path log = Files.createTempFile(workDir, "run-", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        boolean done = p.waitFor(minutes, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("[consumer] " + Paths.get(command[0]).getFileName() + "\n" + out);
        assertTrue(done, "timed out after " + minutes + " minutes: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    private static boolean windows() {
        return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }
}
