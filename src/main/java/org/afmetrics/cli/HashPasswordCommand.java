package org.afmetrics.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import org.afmetrics.exporter.PasswordHash;
import picocli.CommandLine.Command;

/**
 * {@code hash-password}: the password comes on standard input (never as an argument, where other
 * users could read it in the process list) and its salted hash goes to standard output.
 */
@Command(name = "hash-password", header = "Hash a password from standard input for auth-password-hash.", mixinStandardHelpOptions = true,
        description = {"Read a password (the first line of standard input) and print its salted hash,",
                "the value of the agent key auth-password-hash. Never give a password as an argument:",
                "other users can read arguments in the process list."})
final class HashPasswordCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                System.err.println("hash-password: give the password on standard input");
                return Main.USAGE;
            }
            System.out.println(PasswordHash.create(line.toCharArray()));
            return Main.OK;
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("hash-password: " + e.getClass().getSimpleName());
            return Main.FAILED;
        }
    }
}
