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
        assertEquals("too_large", e.reason());
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> NotebookJson.convert(
                new java.io.ByteArrayInputStream(doc), doc.length, "notebook_", NotebookJsonTest.RESERVED, 100, "s"));
    }
}
