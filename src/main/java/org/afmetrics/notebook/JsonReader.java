package org.afmetrics.notebook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;

/**
 * Opens notebook JSON as a token stream (jackson-core only: no tree of the document is ever
 * built) and turns whatever goes wrong while reading it into a {@link NotebookJsonException}.
 * Jackson is loaded the first time a notebook actually gives the agent JSON, not at start-up.
 * NaN and Infinity are accepted because Python's json module writes them.
 * <p>
 * The read constraints stop a document the moment it passes a limit, whatever its shape: nesting
 * deeper than {@link #MAX_NESTING}, a key longer than {@link #MAX_NAME_CHARS} or a string the
 * conversion needs (a label value, a help text, a value written as text) longer than
 * {@link #MAX_STRING_CHARS}. Strings the conversion skips are never decoded, so a long one costs
 * nothing and is not refused.
 * <p>
 * Anything but whitespace after the document is malformed: {@code {"a":1} garbage} and
 * {@code {"a":1}{"a":2}} are refused as a whole.
 * <p>
 * No error text made here holds a byte of the document: the file may be a link to something
 * private (a token file), and the texts reach the kernel's log, the landing page and push
 * answers. Jackson's own messages quote the input, so they are never used; a problem is told by
 * its reason and its position ({@link #at}) only.
 */
final class JsonReader {
    static final int MAX_NESTING = 200;
    static final int MAX_NAME_CHARS = 1024;
    static final int MAX_STRING_CHARS = 65536;

    private JsonReader() {
    }

    /** What to do with an open parser; it sees the document's tokens from the first on. */
    interface Body<T> {
        T read(JsonParser parser) throws IOException, NotebookJsonException;
    }

    /**
     * Neither canonicalised nor checked for duplicates by Jackson: both keep every distinct key
     * of an object (a symbol table, a set per object) for as long as the document is read, which
     * for a file of a million keys that hold nothing the agent uses is some 100 MiB. A key is a
     * fresh string the converter drops unless it becomes a name, and the converter looks for
     * duplicates only among the keys that give it something.
     */
    private static final class Holder {
        static final JsonFactory FACTORY = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxNameLength(MAX_NAME_CHARS)
                        .maxStringLength(MAX_STRING_CHARS)
                        .build())
                .build();
    }

    static <T> T read(byte[] bytes, int length, Body<T> body) throws NotebookJsonException {
        JsonParser parser = null;
        try {
            parser = Holder.FACTORY.createParser(bytes, 0, length);
            return whole(parser, body);
        } catch (IOException | RuntimeException e) {
            throw translate(e, parser);
        } finally {
            closeQuietly(parser);
        }
    }

    /**
     * Reads from a stream of at most {@code maxBytes}; a longer one is refused as
     * {@code too_large} when its first byte over the limit arrives.
     */
    static <T> T read(InputStream in, long maxBytes, Body<T> body) throws NotebookJsonException {
        JsonParser parser = null;
        try {
            parser = Holder.FACTORY.createParser(new BoundedInput(in, maxBytes));
            return whole(parser, body);
        } catch (IOException | RuntimeException e) {
            throw translate(e, parser);
        } finally {
            closeQuietly(parser);
        }
    }

    /** The body's result, once the rest of the input is found to be whitespace only. */
    private static <T> T whole(JsonParser parser, Body<T> body) throws IOException, NotebookJsonException {
        T result = body.read(parser);
        JsonToken after = parser.nextToken();
        if (after != null) {
            throw new NotebookJsonException(Reason.MALFORMED, "not valid JSON: more after the document, "
                    + at(parser.currentTokenLocation()));
        }
        return result;
    }

    private static void closeQuietly(JsonParser parser) {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException | RuntimeException e) {
                // the input's own close: nothing was lost
            }
        }
    }

    /**
     * A position in the document as the only thing an error text says of where: {@code at line
     * 1, column 5} (columns count bytes in a document read as bytes).
     */
    static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "at an unknown position";
        }
        return "at line " + where.getLineNr() + ", column " + Math.max(1, where.getColumnNr());
    }

    /** Where the parser is now: the start of the token it is at. */
    static String at(JsonParser parser) {
        return at(parser.currentTokenLocation());
    }

    /**
     * Copies the value the parser is at as compact JSON text of at most {@link #MAX_STRING_CHARS}
     * characters (a label given as an object or array keeps its JSON text as its value).
     */
    static String copyAsText(JsonParser parser) throws IOException, NotebookJsonException {
        BoundedWriter out = new BoundedWriter(MAX_STRING_CHARS);
        try (JsonGenerator g = Holder.FACTORY.createGenerator(out)) {
            g.copyCurrentStructure(parser);
        } catch (BoundedWriter.Full e) {
            throw tooLong("a label value written as JSON is longer than " + MAX_STRING_CHARS + " characters");
        }
        return out.text.toString();
    }

    /** A key given twice in one object; the key itself is not told (it is the document's). */
    static NotebookJsonException duplicateKey(JsonParser parser) {
        return new NotebookJsonException(Reason.MALFORMED, "not valid JSON: a key appears twice in one object, "
                + at(parser));
    }

    static NotebookJsonException tooLong(String message) {
        return new NotebookJsonException(Reason.TOO_LONG, message + "; nothing from this document is used");
    }

    /**
     * The one place a parser's or reader's exception becomes an error text: its reason and where,
     * never its message (Jackson's quote the input: "Unrecognized token 'ghp_…'").
     */
    static NotebookJsonException translate(Exception e, JsonParser parser) {
        if (e instanceof NotebookJsonException) {
            return (NotebookJsonException) e;
        }
        if (e instanceof BoundedInput.TooLarge) {
            return new NotebookJsonException(Reason.TOO_LARGE, e.getMessage());
        }
        if (e instanceof BoundedInput.Unreadable) {
            return new NotebookJsonException(Reason.UNREADABLE, "reading it failed: " + ioReason(e.getCause()));
        }
        String where = e instanceof JsonProcessingException ? at(((JsonProcessingException) e).getLocation())
                : parser != null ? at(parser.currentLocation()) : at((JsonLocation) null);
        if (e instanceof JsonEOFException) {
            return new NotebookJsonException(Reason.TRUNCATED, "the JSON ends early (half-written?), " + where);
        }
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("NestingDepth")) {
                return new NotebookJsonException(Reason.TOO_DEEP, "the JSON nests deeper than " + MAX_NESTING + " levels, "
                        + where);
            }
            return tooLong("a name, string or number is longer than allowed, " + where);
        }
        // IllegalStateException: Jackson's guard against names crafted to collide in its symbol table
        return new NotebookJsonException(Reason.MALFORMED, "malformed JSON " + where);
    }

    /**
     * An I/O error of the source as a reason: the class of error, and the JDK's text for a file
     * system's (a path and the system's reason, e.g. "Permission denied"), never a document's.
     */
    static String ioReason(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException) {
            String why = ((java.nio.file.FileSystemException) e).getReason();
            return e.getClass().getSimpleName().replace("Exception", "") + (why == null ? "" : " (" + why + ")");
        }
        if (e instanceof java.io.FileNotFoundException) {
            return "cannot open it (" + e.getMessage() + ")";
        }
        return e == null ? "unknown" : e.getClass().getSimpleName().replace("Exception", " error");
    }

    /** Counts what is read; tells a read error of the source apart from bad JSON. */
    private static final class BoundedInput extends FilterInputStream {
        private final long max;
        private long count;

        BoundedInput(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = in.read();
            } catch (IOException e) {
                throw new Unreadable(e);
            }
            counted(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new Unreadable(e);
            }
            return counted(n);
        }

        /** {@code n} bytes more were read: past the bound the document is too large. */
        private int counted(int n) throws TooLarge {
            if (n > 0) {
                count += n;
                if (count > max) {
                    throw new TooLarge("more than json-max-bytes=" + max + " bytes (it grew while being read)");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192));
        }

        static final class TooLarge extends IOException {
            private static final long serialVersionUID = 1L;

            TooLarge(String message) {
                super(message);
            }
        }

        static final class Unreadable extends IOException {
            private static final long serialVersionUID = 1L;

            Unreadable(IOException cause) {
                super(cause);
            }
        }
    }

    private static final class BoundedWriter extends Writer {
        final StringBuilder text = new StringBuilder();
        private final int max;

        BoundedWriter(int max) {
            this.max = max;
        }

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            if (text.length() + len > max) {
                throw new Full();
            }
            text.append(chars, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        static final class Full extends IOException {
            private static final long serialVersionUID = 1L;
        }
    }
}
