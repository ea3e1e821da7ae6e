package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileSourceTest {
    @TempDir
    Path dir;

    private JsonFileSource source(Path file, long maxBytes) {
        return new JsonFileSource(file, "notebook_", NotebookJsonTest.RESERVED, maxBytes, 100);
    }

    private static double value(JsonFileSource s, String family) {
        return NotebookJsonTest.family(s.health().lastGood(), family).samples.get(0).value;
    }

    @Test
    void rereadsOnlyWhenTheFileChanges() throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, "{\"a\": 1}");
        JsonFileSource s = source(f, 1000);
        s.refresh();
        Conversion first = s.health().lastGood();
        s.refresh();
        assertSame(first, s.health().lastGood(), "unchanged file is not parsed again");
        Files.writeString(f, "{\"a\": 22}");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        s.refresh();
        assertEquals(22, value(s, "notebook_a"));
    }

    @Test
    void missingNeverExistedIsQuietRemovedIsCountedOnce() throws Exception {
        Path f = dir.resolve("m.json");
        JsonFileSource s = source(f, 1000);
        s.refresh();
        assertNull(s.health().lastGood());
        assertEquals(Map.of(), s.health().errors());
        Files.writeString(f, "{\"a\": 1}");
        s.refresh();
        Files.delete(f);
        s.refresh();
        s.refresh();
        assertEquals(Map.of("missing", 1L), s.health().errors());
        assertEquals(1, value(s, "notebook_a"), "last good values stay");
    }

    @Test
    void oversizedDirectoryAndSymlinkLoopKeepTheLastGood() throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, "{\"a\": 1}");
        JsonFileSource s = source(f, 50);
        s.refresh();
        Files.writeString(f, "{\"a\": 2, \"padding\": \"" + "x".repeat(100) + "\"}");
        s.refresh();
        assertEquals(1, value(s, "notebook_a"));
        assertEquals(1L, s.health().errors().get("too_large"));

        Files.delete(f);
        Files.createDirectory(f);
        s.refresh();
        s.refresh();
        assertEquals(1L, s.health().errors().get("unreadable"));

        Path loop = dir.resolve("loop.json");
        Files.createSymbolicLink(loop, loop);
        JsonFileSource looped = source(loop, 50);
        looped.refresh();
        assertEquals(Map.of("unreadable", 1L), looped.health().errors());
        assertEquals(1, value(s, "notebook_a"));
    }

    @Test
    void aStreamLongerThanTheLimitIsRefusedAtTheFirstByteOver() {
        byte[] doc = "{\"a\": 1, \"b\": 2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        NotebookJsonException e = org.junit.jupiter.api.Assertions.assertThrows(NotebookJsonException.class,
                () -> NotebookJson.convert(new java.io.ByteArrayInputStream(doc), doc.length - 1, "notebook_",
                        NotebookJsonTest.RESERVED, 100, "s"));
        assertEquals(Reason.TOO_LARGE, e.reason());
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> NotebookJson.convert(
                new java.io.ByteArrayInputStream(doc), doc.length, "notebook_", NotebookJsonTest.RESERVED, 100, "s"));
    }

    private static Path mkfifo(Path p) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        return p;
    }

    private static long helpers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("af-metrics-json-file") && t.isAlive()).count();
    }

    /**
     * The file is a regular one when looked at and a FIFO by the time it is opened (the opener
     * here opens a real FIFO, as the open of a path renamed meanwhile would): the scrape goes on
     * with the last good values and counts the source unreadable once; while that open is stuck,
     * later scrapes neither wait on it nor start another helper; once it returns, the FIFO it got
     * is not read and the file is read again.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anOpenThatBlocksIsAbandonedAndNeverWaitedOnTwice() throws Exception {
        Path f = dir.resolve("m.json");
        Path fifo = mkfifo(dir.resolve("swapped.fifo"));
        Files.writeString(f, "{\"a\": 1}");
        java.util.concurrent.atomic.AtomicBoolean swap = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        JsonFileSource s = new JsonFileSource(f, "notebook_", NotebookJsonTest.RESERVED, 1000, 100, new ParseGate(),
                p -> {
                    opens.incrementAndGet();
                    return java.nio.channels.FileChannel.open(swap.get() ? fifo : p,
                            java.nio.file.StandardOpenOption.READ);
                });
        s.refresh();
        assertEquals(1, value(s, "notebook_a"));
        // the first look's helper ends just after handing its result over
        for (long end = System.currentTimeMillis() + 5_000; helpers() > 0 && System.currentTimeMillis() < end; ) {
            Thread.sleep(10);
        }
        long before = helpers();

        swap.set(true);
        Files.writeString(f, "{\"a\": 2}");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        s.refresh();
        assertEquals(Map.of("unreadable", 1L), s.health().errors(), "the stuck open is counted");
        assertEquals(1, value(s, "notebook_a"), "the last good values stay");
        assertEquals(before + 1, helpers(), "one helper is parked in the open");

        Files.writeString(f, "{\"a\": 3}");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        for (int i = 0; i < 5; i++) {
            s.refresh();
        }
        assertEquals(2, opens.get(), "no other open while one is stuck");
        assertEquals(before + 1, helpers(), "and no other helper");
        assertEquals(Map.of("unreadable", 1L), s.health().errors(), "counted once");

        // a writer comes: the stuck open returns with the FIFO, which is not read
        swap.set(false);
        new java.io.FileOutputStream(fifo.toFile()).close();
        while (helpers() > before) {
            Thread.sleep(20);
        }
        assertEquals(Map.of("unreadable", 1L), s.health().errors(), "the abandoned open is not counted again");
        s.refresh();
        assertEquals(3, value(s, "notebook_a"), "the file as it is now is read");
    }
}
