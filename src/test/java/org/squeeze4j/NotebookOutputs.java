package org.squeeze4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Issue 17's targets for what a student reads in an executed notebook, checked by {@link NotebooksIT}. */
final class NotebookOutputs {
    private static final Pattern CAMEL_CASE = Pattern.compile("^[a-z]+[A-Z]");
    private static final Pattern LONG_DECIMAL = Pattern.compile("\\d\\.\\d{7,}");
    private static final Pattern OBJECT_DUMP =
            Pattern.compile("\\b[A-Z][A-Za-z0-9]*\\[[a-z][A-Za-z0-9]*=|@[0-9a-f]{6,}\\b");
    /** XChart calls that build or restyle a chart: a cell leaves that to {@code Show}. */
    private static final Pattern HAND_BUILT_CHART =
            Pattern.compile("\\bnew\\s+\\w*Chart(?:Builder)?\\s*[(<]|\\.addSeries\\(|\\.getStyler\\(\\)|BitmapEncoder\\.");

    private NotebookOutputs() {
    }

    /**
     * What is wrong, cell by cell, with the outputs of an executed notebook: a table headed by a
     * camelCase field name, a table cell or text output with 7 or more decimals, a text-only output
     * that is an object's {@code toString} (a record dump or {@code Class@1a2b3c}), the absolute
     * path of the checkout, or a code cell that builds or restyles an XChart chart by hand.
     */
    @SuppressWarnings("unchecked")
    static List<String> problems(Path executed, Path repo) throws IOException {
        Map<String, Object> notebook = new ObjectMapper().readValue(executed.toFile(), Map.class);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> cell : (List<Map<String, Object>>) notebook.get("cells")) {
            Matcher chart = HAND_BUILT_CHART.matcher("code".equals(cell.get("cell_type")) ? joined(cell.get("source")) : "");
            if (chart.find()) {
                problems.add("cell " + cell.get("id") + ": chart built by hand ('" + chart.group() + "'): use Show");
            }
            for (Map<String, Object> out : (List<Map<String, Object>>) cell.getOrDefault("outputs", List.of())) {
                Map<String, Object> data = (Map<String, Object>) out.getOrDefault("data", Map.of());
                String html = joined(data.get("text/html"));
                String text = out.containsKey("text") ? joined(out.get("text")) : joined(data.get("text/plain"));
                String where = "cell " + cell.get("id") + ": ";
                if (!html.isEmpty()) {
                    Matcher th = Pattern.compile("<th[^>]*>(.*?)</th>", Pattern.DOTALL).matcher(html);
                    while (th.find()) {
                        if (CAMEL_CASE.matcher(th.group(1).strip()).find()) {
                            problems.add(where + "table header '" + th.group(1).strip() + "'");
                        }
                    }
                    Matcher td = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(html);
                    while (td.find()) {
                        if (LONG_DECIMAL.matcher(td.group(1)).find()) {
                            problems.add(where + "table cell '" + td.group(1).strip() + "'");
                            break;
                        }
                    }
                } else if (!data.containsKey("image/png") && !text.isEmpty()) {
                    String line = text.strip().lines().findFirst().orElse("");
                    if (OBJECT_DUMP.matcher(text).find()) {
                        problems.add(where + "object dump '" + line + "'");
                    }
                    Matcher d = LONG_DECIMAL.matcher(text);
                    if (d.find()) {
                        problems.add(where + "unformatted number " + d.group() + " in '" + line + "'");
                    }
                    if (text.contains(repo.toString())) {
                        problems.add(where + "absolute path in '" + line + "'");
                    }
                }
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static String joined(Object source) {
        return source == null ? "" : source instanceof List ? String.join("", (List<String>) source) : String.valueOf(source);
    }

}
