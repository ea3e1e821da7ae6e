package org.afmetrics.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import org.afmetrics.exporter.PasswordHash;

/**
 * {@code hash-password}: the password comes on standard input (never as an argument, where other
 * users could read it in the process list) and its salted hash goes to standard output.
 */
final class HashPasswordCommand {
    private HashPasswordCommand() {
    }

    static int run() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                System.err.println("af-metrics-agent: give the password on standard input");
                return 2;
            }
            System.out.println(PasswordHash.create(line.toCharArray()));
            return 0;
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("af-metrics-agent: " + e.getClass().getSimpleName());
            return 1;
        }
    }
}
