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
 * kernel holding its data; prints {@code holding N MB}), {@code work} starts a daemon that opens a
 * file and allocates a megabyte every 200 ms (a kernel at work; prints {@code working}),
 * {@code report} prints how many of those file opens failed, end of input or {@code return}
 * returns from main.
 * A shutdown hook prints a line, so a terminated host shows whether its hooks ran.
 */
public final class ScriptedHostMain {
    private static final List<byte[]> HELD = new ArrayList<>();

    private static final java.util.concurrent.atomic.AtomicInteger FAILED_OPENS =
            new java.util.concurrent.atomic.AtomicInteger();
    static volatile byte[] scratch;

    private ScriptedHostMain() {
    }

    private static void work() {
        while (true) {
            try (java.io.InputStream in = new java.io.FileInputStream("/proc/self/stat")) {
                in.read(new byte[256]);
            } catch (java.io.IOException e) {
                FAILED_OPENS.incrementAndGet();
            }
            scratch = new byte[1 << 20];
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
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
            } else if (line.equals("work")) {
                Thread worker = new Thread(ScriptedHostMain::work, "host-worker");
                worker.setDaemon(true);
                worker.start();
                System.out.println("working");
            } else if (line.equals("report")) {
                System.out.println("file opens failed: " + FAILED_OPENS.get());
            } else if (line.equals("return")) {
                break;
            }
        }
        System.out.println("host main done");
    }
}
