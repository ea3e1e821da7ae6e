package org.afmetrics.tool;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
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
        ClassLoader loader;
        try {
            loader = NestedJarLoader.ofEntry("af-metrics-tool", ToolLauncher.class, NESTED,
                    ToolLauncher.class.getClassLoader());
        } catch (IOException e) {
            System.err.println("af-metrics-agent: no command line: " + e.getMessage());
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
