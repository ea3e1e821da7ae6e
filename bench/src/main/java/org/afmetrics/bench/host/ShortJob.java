package org.afmetrics.bench.host;

/**
 * A short job: works (sleeps) for one second, then returns from main. Long enough for every
 * agent to be fully up, so its wall time shows what each agent adds to the JVM's exit.
 */
public final class ShortJob {
    private ShortJob() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(1000);
        System.out.println("job done");
    }
}
