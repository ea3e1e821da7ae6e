package org.afmetrics.testing.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A host application the test drives through its standard input, one command a line:
 * {@code threads} prints the live non-daemon threads other than its own main thread,
 * {@code exit N} calls {@code System.exit(N)}, {@code hold N} allocates N MB and keeps it (a
 * kernel holding its data; prints {@code holding N MB}), end of input or {@code return} returns from main.
 * A shutdown hook prints a line, so a terminated host shows whether its hooks ran.
 */
public final class ScriptedHostMain {
    private static final List<byte[]> HELD = new ArrayList<>();

    private ScriptedHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("host shutdown hook ran")));
        System.out.println("host main started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("threads")) {
                List<String> names = new ArrayList<>();
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (!t.isDaemon() && t != Thread.currentThread() && !t.getName().equals("DestroyJavaVM")) {
                        names.add(t.getName());
                    }
                }
                System.out.println("non-daemon threads: " + names);
            } else if (line.startsWith("exit ")) {
                System.out.println("host exiting");
                System.exit(Integer.parseInt(line.substring(5).trim()));
            } else if (line.startsWith("hold ")) {
                int mb = Integer.parseInt(line.substring(5).trim());
                // in pieces well under a heap region, as a kernel's data mostly is
                for (int i = 0; i < mb * 16; i++) {
                    HELD.add(new byte[64 * 1024]);
                }
                System.out.println("holding " + mb + " MB");
            } else if (line.equals("return")) {
                break;
            }
        }
        System.out.println("host main done");
    }
}
