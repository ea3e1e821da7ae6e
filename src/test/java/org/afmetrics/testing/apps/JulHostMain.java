package org.afmetrics.testing.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * A host that configures java.util.logging itself, late: only once its standard input says
 * {@code go} (after the agent has started and served), it points
 * {@code java.util.logging.config.file} at the file given as argument and logs at four levels.
 * If anything had initialised the JDK's LogManager before, this configuration would be ignored.
 */
public final class JulHostMain {
    private JulHostMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("host main started");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.setProperty("java.util.logging.config.file", args[0]);
        Logger log = Logger.getLogger("host.app");
        log.finest("finest from the host");
        log.fine("fine from the host");
        log.info("info from the host");
        log.warning("warning from the host");
        System.out.println("host main done");
    }
}
