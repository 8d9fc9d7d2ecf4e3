package org.astropt.stream.core.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one rule for what a person's label may be. */
class ObjectLabelTest {

    @Test
    void labelsHaveOneSpelling() {
        assertEquals("normal", ObjectLabel.parse(" Normal "));
        assertEquals("interesting", ObjectLabel.parse("INTERESTING"));
        assertEquals("artefact:cosmic_ray", ObjectLabel.parse("Artefact:Cosmic_Ray"));
        assertEquals("artefact:ghost2", ObjectLabel.parse("artefact:ghost2"), "a kind the synthetic survey does not make");
        assertTrue(ObjectLabel.SYNTHETIC_KINDS.contains("chip_edge"));
    }

    @Test
    void anythingElseIsOneLineNamingTheInput() {
        for (String bad : new String[] {"artefact", "artefact:", "artefact:cosmic ray", "bogus", "artefact:a-b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectLabel.parse(bad));
            assertTrue(e.getMessage().startsWith("label '" + bad + "' is not a label"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"));
        }
        assertEquals("label is missing: give normal, interesting or artefact:<kind>",
                assertThrows(IllegalArgumentException.class, () -> ObjectLabel.parse(" ")).getMessage());
    }
}
