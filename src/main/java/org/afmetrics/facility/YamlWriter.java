package org.afmetrics.facility;

import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * YAML for the facility's Prometheus files, written by SnakeYAML so that every value, whatever
 * quotes, colons, spaces or non-ASCII characters it holds, is quoted as YAML needs. Block style,
 * two-space indents, one value per line (no folding of long expressions), and multi-line
 * strings as literal blocks so that PromQL stays readable. Used by the command line only.
 */
final class YamlWriter {
    private static final Yaml YAML = create();

    private YamlWriter() {
    }

    private static Yaml create() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setSplitLines(false);
        options.setWidth(Integer.MAX_VALUE);
        options.setAllowUnicode(true);
        return new Yaml(new LiteralMultiLine(options), options);
    }

    /** The YAML of a tree of maps, lists and strings (or numbers), ending in a newline. */
    static String dump(Object tree) {
        return YAML.dump(tree);
    }

    /** The YAML of a block sequence holding one item: {@code "  - key: ..."}, two spaces in. */
    static String listItem(Object item) {
        return dump(List.of(item));
    }

    /** Every line of {@code text} with {@code prefix} in front, e.g. to comment a block out. */
    static String prefixLines(String text, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                sb.append(prefix).append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** One comment line per line of text; a line break inside can never end the comment. */
    static String comment(String text, String indent) {
        return prefixLines(text.replace("\r", ""), indent + "# ");
    }

    private static final class LiteralMultiLine extends Representer {
        LiteralMultiLine(DumperOptions options) {
            super(options);
            this.representers.put(String.class, data -> {
                String s = (String) data;
                return representScalar(Tag.STR, s,
                        s.indexOf('\n') >= 0 ? DumperOptions.ScalarStyle.LITERAL : DumperOptions.ScalarStyle.PLAIN);
            });
        }
    }
}
