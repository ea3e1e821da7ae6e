package org.afmetrics.identity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.afmetrics.config.AgentConfig;

/**
 * Finds the user and the session of this JVM from what Jupyter gives a kernel: JupyterHub's
 * user variable, the kernel connection file on the command line, the notebook's session name.
 * Reads named variables only, never the whole environment, so no token is ever touched.
 */
public final class IdentityDetector {
    static final String HUB_USER = "JUPYTERHUB_USER";
    static final String SESSION_NAME = "JPY_SESSION_NAME";

    private final Function<String, String> env;
    private final String commandLine;
    private final String osUser;
    private final long pid;

    public IdentityDetector(Function<String, String> env, String commandLine, String osUser, long pid) {
        this.env = env;
        this.commandLine = commandLine == null ? "" : commandLine;
        this.osUser = osUser;
        this.pid = pid;
    }

    /** The detector for this JVM: its environment, the launcher's command line, its pid. */
    public static IdentityDetector forThisJvm() {
        return new IdentityDetector(System::getenv, System.getProperty("sun.java.command"),
                System.getProperty("user.name"), ProcessHandle.current().pid());
    }

    public Identity detect(AgentConfig config) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("user", config.user().orElseGet(this::user));
        labels.put("session", config.session().orElseGet(this::session));
        String notebook = nonEmpty(env.apply(SESSION_NAME));
        if (notebook != null) {
            labels.put("notebook", notebook);
        }
        for (Map.Entry<String, String> e : config.labels().entrySet()) {
            labels.putIfAbsent(e.getKey(), e.getValue());
        }
        return new Identity(labels);
    }

    String user() {
        String hub = nonEmpty(env.apply(HUB_USER));
        if (hub != null) {
            return hub;
        }
        return osUser == null || osUser.isEmpty() ? "unknown" : osUser;
    }

    String session() {
        String kernelId = kernelIdFromCommandLine(commandLine);
        return kernelId != null ? kernelId : Long.toString(pid);
    }

    /**
     * The kernel id of a {@code kernel-<id>.json} connection file among the arguments, as
     * Jupyter names it when it launches a kernel; null when there is none.
     */
    public static String kernelIdFromCommandLine(String commandLine) {
        for (String arg : commandLine.split("\\s+")) {
            String token = arg;
            int eq = token.lastIndexOf('=');
            if (eq >= 0) {
                token = token.substring(eq + 1);
            }
            int slash = Math.max(token.lastIndexOf('/'), token.lastIndexOf('\\'));
            String base = token.substring(slash + 1);
            if (base.startsWith("kernel-") && base.endsWith(".json") && base.length() > "kernel-.json".length()) {
                return base.substring("kernel-".length(), base.length() - ".json".length());
            }
        }
        return null;
    }

    private static String nonEmpty(String s) {
        return s == null || s.trim().isEmpty() ? null : s.trim();
    }
}
