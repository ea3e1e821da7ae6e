package org.afmetrics.exporter;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryAllocationExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.ThreadExports;
import io.prometheus.client.hotspot.VersionInfoExports;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The hotspot set of simpleclient_hotspot's {@code DefaultExports}, same names and help, but
 * without the two collectors that hold a {@code java.util.logging.Logger} (the process and
 * buffer-pool ones): creating a logger initialises the JDK's LogManager, and a host that
 * configures its logging after that (a {@code java.util.logging.config.file} set in its main, a
 * {@code java.util.logging.manager}) would find its configuration ignored. Those two are done here.
 */
final class QuietHotspotExports {
    private QuietHotspotExports() {
    }

    /**
     * {@code process_*}: CPU time, start time, file descriptors, memory. On Linux all of it comes
     * from {@code /proc/self} (as Prometheus's own process collectors read it): the JDK's
     * operating-system bean would load a native library and its classes first, about a fifth of
     * what the whole hotspot set costs to build, and the first scrape waits for that. Elsewhere
     * the bean serves.
     */
    static final class ProcessCollector extends Collector {
        /** Linux counts CPU time in USER_HZ ticks, 100 a second on every architecture it exports it for. */
        private static final double TICKS_PER_SECOND = 100;
        private static final Path STAT = Paths.get("/proc/self/stat");
        private final boolean procfs = Files.isReadable(STAT);
        private final OperatingSystemMXBean os = procfs ? null : ManagementFactory.getOperatingSystemMXBean();
        private final double startSeconds = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;

        @Override
        public List<MetricFamilySamples> collect() {
            List<MetricFamilySamples> out = new ArrayList<>();
            double cpu = procfs ? procCpuSeconds() : beanCpuSeconds(os);
            if (cpu >= 0) {
                out.add(one("process_cpu_seconds", Type.COUNTER, "Total user and system CPU time spent in seconds.",
                        "process_cpu_seconds_total", cpu));
            }
            out.add(one("process_start_time_seconds", Type.GAUGE,
                    "Start time of the process since unix epoch in seconds.", null, startSeconds));
            double open = procfs ? procOpenFds() : -1;
            double max = procfs ? procMaxFds() : -1;
            if (!procfs && os instanceof com.sun.management.UnixOperatingSystemMXBean) {
                com.sun.management.UnixOperatingSystemMXBean unix = (com.sun.management.UnixOperatingSystemMXBean) os;
                open = unix.getOpenFileDescriptorCount();
                max = unix.getMaxFileDescriptorCount();
            }
            if (open >= 0 && max >= 0) {
                out.add(one("process_open_fds", Type.GAUGE, "Number of open file descriptors.", null, open));
                out.add(one("process_max_fds", Type.GAUGE, "Maximum number of open file descriptors.", null, max));
            }
            procStatus(out);
            return out;
        }

        private static double beanCpuSeconds(OperatingSystemMXBean os) {
            if (os instanceof com.sun.management.OperatingSystemMXBean) {
                long ns = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
                return ns < 0 ? -1 : ns / 1.0E9;
            }
            return -1;
        }

        /** utime + stime, fields 14 and 15 of /proc/self/stat (counted after the command, which may hold spaces). */
        static double procCpuSeconds() {
            try {
                String stat = new String(Files.readAllBytes(STAT), StandardCharsets.US_ASCII);
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** Entries of /proc/self/fd, less the one the listing itself holds open. */
        static double procOpenFds() {
            int n = 0;
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
                for (Iterator<Path> i = fds.iterator(); i.hasNext(); i.next()) {
                    n++;
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return n - 1;
        }

        /** The soft limit of "Max open files" in /proc/self/limits. */
        static double procMaxFds() {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("Max open files")) {
                        String rest = line.substring("Max open files".length()).trim();
                        int end = 0;
                        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                            end++;
                        }
                        String soft = rest.substring(0, end);
                        return soft.equals("unlimited") ? Double.POSITIVE_INFINITY : Double.parseDouble(soft);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }

        private static void procStatus(List<MetricFamilySamples> out) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return; // not Linux: these two are Linux-only, as in simpleclient_hotspot
            }
            for (String line : lines) {
                if (line.startsWith("VmSize:")) {
                    out.add(one("process_virtual_memory_bytes", Type.GAUGE, "Virtual memory size in bytes.", null,
                            kilobytes(line)));
                } else if (line.startsWith("VmRSS:")) {
                    out.add(one("process_resident_memory_bytes", Type.GAUGE, "Resident memory size in bytes.", null,
                            kilobytes(line)));
                }
            }
        }

        private static double kilobytes(String line) {
            String[] parts = line.trim().split("\\s+");
            return Double.parseDouble(parts[1]) * 1024;
        }

        private static MetricFamilySamples one(String name, Type type, String help, String sampleName, double v) {
            return new MetricFamilySamples(name, type, help, Collections.singletonList(new MetricFamilySamples.Sample(
                    sampleName == null ? name : sampleName, Collections.emptyList(), Collections.emptyList(), v)));
        }
    }

    /** {@code jvm_buffer_pool_*}: direct and mapped buffers, by pool. */
    static final class BufferPoolCollector extends Collector {
        private final List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);

        @Override
        public List<MetricFamilySamples> collect() {
            List<String> label = Collections.singletonList("pool");
            List<MetricFamilySamples.Sample> used = new ArrayList<>();
            List<MetricFamilySamples.Sample> capacity = new ArrayList<>();
            List<MetricFamilySamples.Sample> buffers = new ArrayList<>();
            for (BufferPoolMXBean p : pools) {
                List<String> name = Collections.singletonList(p.getName());
                used.add(new MetricFamilySamples.Sample("jvm_buffer_pool_used_bytes", label, name, p.getMemoryUsed()));
                capacity.add(new MetricFamilySamples.Sample("jvm_buffer_pool_capacity_bytes", label, name,
                        p.getTotalCapacity()));
                buffers.add(new MetricFamilySamples.Sample("jvm_buffer_pool_used_buffers", label, name, p.getCount()));
            }
            List<MetricFamilySamples> out = new ArrayList<>(3);
            out.add(new MetricFamilySamples("jvm_buffer_pool_used_bytes", Type.GAUGE,
                    "Used bytes of a given JVM buffer pool.", used));
            out.add(new MetricFamilySamples("jvm_buffer_pool_capacity_bytes", Type.GAUGE,
                    "Bytes capacity of a given JVM buffer pool.", capacity));
            out.add(new MetricFamilySamples("jvm_buffer_pool_used_buffers", Type.GAUGE,
                    "Used buffers of a given JVM buffer pool.", buffers));
            return out;
        }
    }
}
