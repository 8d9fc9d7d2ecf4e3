package org.astropt.stream.core.heads;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.astropt.stream.core.sim.ArtefactKind;

/**
 * The labels a person may give an object (on the dashboard, through {@code POST /objects/{id}/label}), and the
 * one rule for which strings are labels: {@value #NORMAL}, {@value #INTERESTING}, or {@code artefact:<kind>} with
 * the kind in lower case letters, digits and underscores ({@code artefact:cosmic_ray}). Kinds beyond the synthetic
 * survey's ({@link #SYNTHETIC_KINDS}) are allowed: a person looking at real data may name a new one, and the
 * trainer fits a head for every kind with enough labels. The trainer reads what the server wrote with the same rule.
 *
 * <pre>{@code
 * String label = ObjectLabel.parse(" Artefact:Cosmic_Ray ");   // "artefact:cosmic_ray"
 * ObjectLabel.parse("bogus");                                   // IllegalArgumentException, one line
 * }</pre>
 */
public final class ObjectLabel {

    public static final String NORMAL = "normal", INTERESTING = "interesting", ARTEFACT_PREFIX = "artefact:";

    /** The artefact kinds of the synthetic survey, lower case, as the dashboard offers them. */
    public static final List<String> SYNTHETIC_KINDS = Arrays.stream(ArtefactKind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toList();

    private static final Pattern KIND = Pattern.compile("[a-z0-9_]{1,64}");

    private ObjectLabel() {}

    /**
     * The label in its one spelling (trimmed, lower case); an IllegalArgumentException naming the input and what
     * labels there are for anything else.
     */
    public static String parse(String label) {
        if (label == null || label.isBlank()) throw new IllegalArgumentException("label is missing: give normal, interesting or artefact:<kind>");
        String l = label.trim().toLowerCase(Locale.ROOT);
        if (l.equals(NORMAL) || l.equals(INTERESTING)) return l;
        if (l.startsWith(ARTEFACT_PREFIX) && KIND.matcher(l.substring(ARTEFACT_PREFIX.length())).matches()) return l;
        throw new IllegalArgumentException("label '" + label + "' is not a label: give normal, interesting or artefact:<kind>"
                + " with the kind in lower-case letters, digits and _ (e.g. artefact:" + SYNTHETIC_KINDS.get(0) + ")");
    }

    /** True for artefact:<kind>. */
    public static boolean isArtefact(String label) { return label.startsWith(ARTEFACT_PREFIX); }
}
