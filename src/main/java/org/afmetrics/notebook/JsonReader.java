package org.afmetrics.notebook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * Parses JSON bytes into a tree. Jackson is loaded the first time a notebook actually gives
 * the agent JSON, not at start-up. NaN and Infinity are accepted because Python's json module
 * writes them.
 */
final class JsonReader {
    private static final int MAX_NESTING = 200;

    private JsonReader() {
    }

    private static final class Holder {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();

        static {
            MAPPER.getFactory().setStreamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
        }
    }

    static JsonNode parse(byte[] bytes, int length) throws NotebookJsonException {
        if (isBlank(bytes, length)) {
            throw new NotebookJsonException("empty", "the JSON is empty");
        }
        try {
            JsonNode node = Holder.MAPPER.readTree(bytes, 0, length);
            if (node == null || node.isMissingNode()) {
                throw new NotebookJsonException("empty", "the JSON is empty");
            }
            return node;
        } catch (JsonEOFException e) {
            throw new NotebookJsonException("truncated", "the JSON ends early (half-written?): " + firstLine(e));
        } catch (StreamConstraintsException e) {
            throw new NotebookJsonException("too_deep", "the JSON nests deeper than " + MAX_NESTING + " levels");
        } catch (IOException e) {
            throw new NotebookJsonException("malformed", "not valid JSON: " + firstLine(e));
        }
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
