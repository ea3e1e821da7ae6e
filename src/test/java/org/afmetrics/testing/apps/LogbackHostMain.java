package org.afmetrics.testing.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host that logs through SLF4J and logback, configured by its own
 * {@code -Dlogback.configurationFile}; it logs at four levels once its standard input says go.
 */
public final class LogbackHostMain {
    private LogbackHostMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("host main started");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        Logger log = LoggerFactory.getLogger("host.app");
        log.trace("trace from the host");
        log.debug("debug from the host");
        log.info("info from the host");
        log.warn("warn from the host");
        System.out.println("host main done");
    }
}
