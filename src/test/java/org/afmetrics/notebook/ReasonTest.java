package org.afmetrics.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reason's label is what dashboards and alert rules select ({@code afmetrics_json_errors_total
 * {reason}}) and what a push's answer says: every one is pinned here, with the status a push
 * refused for it is answered with and whether it may be sent again as it is.
 */
class ReasonTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "EMPTY,             empty,             400, false",
        "UNSUPPORTED,       unsupported,       400, false",
        "MALFORMED,         malformed,         400, false",
        "TRUNCATED,         truncated,         400, false",
        "TOO_DEEP,          too_deep,          400, false",
        "TOO_LONG,          too_long,          400, false",
        "TOO_LARGE,         too_large,         413, false",
        "TOO_MANY_SERIES,   too_many_series,   400, false",
        "TOO_MANY_LABELS,   too_many_labels,   400, false",
        "NOTHING_USABLE,    nothing_usable,    400, false",
        "OUT_OF_MEMORY,     out_of_memory,     503, true",
        "BUSY,              busy,              429, true",
        "MISSING,           missing,           400, false",
        "UNREADABLE,        unreadable,        400, false",
        "FORBIDDEN,         forbidden,         403, false",
        "BAD_CONTENT_TYPE,  bad_content_type,  415, false",
        "INVALID_NAME,      invalid_name,      400, false",
        "UNSUPPORTED_TYPE,  unsupported_type,  400, false",
        "INVALID_UNIT,      invalid_unit,      400, false",
        "INVALID_VALUE,     invalid_value,     400, false",
        "INVALID_LABELS,    invalid_labels,    400, false",
        "INVALID_LABEL,     invalid_label,     400, false",
        "LABEL_CLASH,       label_clash,       400, false",
        "TYPE_CONFLICT,     type_conflict,     400, false",
        "DUPLICATE_SERIES,  duplicate_series,  400, false",
        "COUNTER_DECREASED, counter_decreased, 400, false",
    })
    void labelStatusAndRetry(Reason reason, String label, int status, boolean retry) {
        assertEquals(label, reason.label());
        assertEquals(label, reason.toString(), "printed as its label");
        assertEquals(status, reason.pushStatus());
        assertEquals(retry, reason.pushMayRetry());
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void aLabelIsItsNameInLowerCase(Reason reason) {
        assertEquals(reason.name().toLowerCase(Locale.ROOT), reason.label());
    }

    @Test
    void everyReasonIsPinnedAbove() {
        assertEquals(26, Reason.values().length, "a new reason gets a row above: " + Arrays.toString(Reason.values()));
    }
}
