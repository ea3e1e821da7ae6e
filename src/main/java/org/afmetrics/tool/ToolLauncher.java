package org.afmetrics.tool;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import org.afmetrics.boot.NestedJarLoader;

/**
 * {@code java -jar af-metrics-agent.jar COMMAND}: starts the command line, which lives in a jar
 * nested in the agent jar ({@value #NESTED}) together with the libraries only it uses (picocli,
 * Jackson's data binding, SnakeYAML, java-diff-utils). Every JVM that starts with the agent opens
 * the outer jar and pays for each entry of its central directory; the nested jar is one entry of
 * it, read only here (docs/design.md, the jar's layout).
 */
public final class ToolLauncher {
    /** The nested jar, as an entry of the agent jar. */
    public static final String NESTED = "META-INF/af-metrics/tool.jar";
    private static final String MAIN = "org.afmetrics.cli.Main";

    private ToolLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        byte[] nested;
        ClassLoader outer = ToolLauncher.class.getClassLoader();
        try (InputStream in = outer.getResourceAsStream(NESTED)) {
            if (in == null) {
                System.err.println("af-metrics-agent: this jar has no command line (" + NESTED + " is missing)");
                System.exit(1);
                return;
            }
            nested = in.readAllBytes();
        }
        URL jar = ToolLauncher.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader loader;
        try {
            loader = new NestedJarLoader("af-metrics-tool", nested, jar, outer);
        } catch (IOException e) {
            System.err.println("af-metrics-agent: " + NESTED + " is unreadable: " + e.getMessage());
            System.exit(1);
            return;
        }
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class.forName(MAIN, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
