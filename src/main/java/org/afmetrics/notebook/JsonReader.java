package org.afmetrics.notebook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
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
        try (JsonParser parser = Holder.FACTORY.createParser(bytes, 0, length)) {
            return body.read(parser);
        } catch (IOException | IllegalStateException e) {
            throw translate(e);
        }
    }

    /**
     * Reads from a stream of at most {@code maxBytes}; a longer one is refused as
     * {@code too_large} when its first byte over the limit arrives.
     */
    static <T> T read(InputStream in, long maxBytes, Body<T> body) throws NotebookJsonException {
        try (JsonParser parser = Holder.FACTORY.createParser(new BoundedInput(in, maxBytes))) {
            return body.read(parser);
        } catch (IOException | IllegalStateException e) {
            throw translate(e);
        }
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

    static NotebookJsonException duplicateKey(String key) {
        return new NotebookJsonException("malformed", "not valid JSON: the key '"
                + (key.length() > 40 ? key.substring(0, 37) + "..." : key) + "' appears twice in one object");
    }

    static NotebookJsonException tooLong(String message) {
        return new NotebookJsonException("too_long", message + "; nothing from this document is used");
    }

    private static NotebookJsonException translate(Exception e) {
        if (e instanceof BoundedInput.TooLarge) {
            return new NotebookJsonException("too_large", e.getMessage());
        }
        if (e instanceof BoundedInput.Unreadable) {
            return new NotebookJsonException("unreadable", String.valueOf(e.getCause()));
        }
        if (e instanceof JsonEOFException) {
            return new NotebookJsonException("truncated", "the JSON ends early (half-written?): " + firstLine(e));
        }
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("NestingDepth")) {
                return new NotebookJsonException("too_deep", "the JSON nests deeper than " + MAX_NESTING + " levels");
            }
            return tooLong("a name, string or number is too long: " + firstLine(e));
        }
        // IllegalStateException: Jackson's guard against names crafted to collide in its symbol table
        return new NotebookJsonException("malformed", "not valid JSON: " + firstLine(e));
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
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
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new Unreadable(e);
            }
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
