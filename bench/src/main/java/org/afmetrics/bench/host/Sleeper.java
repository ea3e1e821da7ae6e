package org.afmetrics.bench.host;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The long-running host: sleeps until killed. With {@code -Dbench.mbeans=N} it first registers
 * N one-attribute MBeans, so that jmx_exporter has as many extra series to export as our agent
 * gets from a notebook JSON file of N series.
 */
public final class Sleeper {
    private Sleeper() {
    }

    public interface GaugeMBean {
        double getValue();
    }

    public static final class Gauge implements GaugeMBean {
        private final double value;

        Gauge(double value) {
            this.value = value;
        }

        @Override
        public double getValue() {
            return value;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.mbeans", 0);
        if (n > 0) {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (int i = 0; i < n; i++) {
                server.registerMBean(new Gauge(i * 1.5),
                        new ObjectName("bench:type=Series,family=f" + (i % 20) + ",dataset=ds" + i));
            }
        }
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }
}
