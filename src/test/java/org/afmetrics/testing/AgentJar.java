package org.afmetrics.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The packaged agent jar under test. */
public final class AgentJar {
    private AgentJar() {
    }

    public static Path path() {
        String p = System.getProperty("afmetrics.agent.jar");
        Path jar = p != null ? Paths.get(p) : Paths.get("target", "af-metrics-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar not found at " + jar.toAbsolutePath() + " (run mvn package)");
        }
        return jar.toAbsolutePath();
    }

    /** The {@code -javaagent:} option, with arguments when given. */
    public static String option(String args) {
        return "-javaagent:" + path() + (args == null || args.isEmpty() ? "" : "=" + args);
    }
}
