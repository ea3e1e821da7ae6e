package org.afmetrics.testing.apps;

/**
 * A stand-in host application: prints a line, sleeps for the given milliseconds (0: returns at
 * once), and exits with the given code. Extra arguments are ignored, as a kernel ignores its
 * connection file here.
 */
public final class SleepMain {
    private SleepMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        long sleepMs = args.length > 0 ? Long.parseLong(args[0]) : 0;
        int exitCode = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        System.out.println("host main started");
        Thread.sleep(sleepMs);
        System.out.println("host main done");
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }
}
