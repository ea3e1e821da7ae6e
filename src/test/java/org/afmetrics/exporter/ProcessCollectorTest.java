package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.prometheus.client.Collector.MetricFamilySamples;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The process metrics read from /proc agree with what the JDK's operating-system bean says. */
class ProcessCollectorTest {
    @Test
    void procfsFiguresMatchTheOperatingSystemBean() {
        Assumptions.assumeTrue(Files.isReadable(Paths.get("/proc/self/stat")), "Linux only");
        UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double beanCpu = os.getProcessCpuTime() / 1e9;
        double procCpu = QuietHotspotExports.ProcessCollector.procCpuSeconds();
        assertTrue(procCpu > 0 && Math.abs(procCpu - beanCpu) < 0.5, procCpu + " vs " + beanCpu);
        double open = QuietHotspotExports.ProcessCollector.procOpenFds();
        assertTrue(Math.abs(open - os.getOpenFileDescriptorCount()) <= 2, open + " vs " + os.getOpenFileDescriptorCount());
        assertEquals((double) os.getMaxFileDescriptorCount(), QuietHotspotExports.ProcessCollector.procMaxFds());

        Map<String, Double> samples = new HashMap<>();
        for (MetricFamilySamples f : new QuietHotspotExports.ProcessCollector().collect()) {
            for (MetricFamilySamples.Sample s : f.samples) {
                samples.put(s.name, s.value);
            }
        }
        for (String name : new String[] {"process_cpu_seconds_total", "process_start_time_seconds", "process_open_fds",
                "process_max_fds", "process_virtual_memory_bytes", "process_resident_memory_bytes"}) {
            assertTrue(samples.containsKey(name), name + " in " + samples);
        }
        assertEquals(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0,
                samples.get("process_start_time_seconds"));
    }
}
