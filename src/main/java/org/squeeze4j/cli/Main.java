package org.squeeze4j.cli;

import org.squeeze4j.util.OneDnn;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The squeeze4j command line. Run through {@code ./s4j <command>} or
 * {@code java -cp 'target/squeeze4j.jar:target/lib/*' org.squeeze4j.cli.Main <command>}.
 */
@Command(name = "squeeze4j", mixinStandardHelpOptions = true,
        description = "Neural-network compression on the JVM.",
        subcommands = {PretrainCommand.class, PruneCommand.class, QatCommand.class, DistillCommand.class, TeacherLogitsCommand.class, CompressCommand.class})
public final class Main {
    public static void main(String[] args) {
        quietLogs();
        OneDnn.enable();
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 2;
                })
                .execute(args);
        System.exit(code);
    }

    /**
     * DL4J and ND4J log at INFO through slf4j-simple; the command line prints its own progress, so
     * their logs start at WARN unless the user set a level ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=info}).
     * Must run before the first logger is created.
     */
    static void quietLogs() {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    }
}
